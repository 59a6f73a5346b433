//! The chain's calls, storage and events as subxt generates them from the runtime's metadata, checked in at
//! `gpu-worker/client/metadata/compute-chain.scale` (`runtime/tests/metadata.rs` fails when it is not the
//! runtime's). subxt also checks, per storage entry and call, that the connected node's metadata has the same
//! shape (`IncompatibleCodegen` otherwise), so a runtime that moved a field is refused, not misread.

#[allow(missing_docs, clippy::all, clippy::pedantic)]
#[subxt::subxt(runtime_metadata_path = "metadata/compute-chain.scale")]
pub mod runtime {}
