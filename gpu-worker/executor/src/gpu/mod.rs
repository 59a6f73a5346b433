//! The wgpu side of the worker: adapter and device ([`context`]), the protocol's limits ([`limits`]),
//! pipelines cached by kernel id ([`kernel`]), buffers reused across jobs ([`pool`]) and inputs bound as
//! textures for the device variants ([`texels`]).

pub mod context;
pub mod kernel;
pub mod limits;
pub mod pool;
pub mod texels;
