//! The wgpu side of the worker: adapter and device ([`context`]), the protocol's limits ([`limits`]),
//! pipelines cached by kernel id ([`kernel`]) and buffers reused across jobs ([`pool`]).

pub mod context;
pub mod kernel;
pub mod limits;
pub mod pool;
