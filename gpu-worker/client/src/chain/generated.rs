//! The chain's calls, storage, runtime APIs and events as subxt generates them from the runtime's metadata,
//! checked in at `gpu-worker/client/metadata/compute-chain.scale` (`runtime/tests/metadata.rs` fails when it
//! is not the runtime's).
//!
//! The types the worker and the pallets share are not generated: they are `compute-primitives`' own,
//! substituted in through [`subxt::utils::Static`] (plain SCALE, which is exact here because they *are* the
//! runtime's types). subxt checks, per call, storage entry and runtime API, that the connected node's metadata
//! has the shape this code was generated from (`IncompatibleCodegen` otherwise), so a runtime that moved a
//! field is refused before anything is signed or decoded, never misread.

#[allow(missing_docs, clippy::all, clippy::pedantic)]
#[subxt::subxt(
    runtime_metadata_path = "metadata/compute-chain.scale",
    substitute_type(
        path = "compute_primitives::job::JobSpec<B>",
        with = "::subxt::utils::Static<crate::chain::JobSpec>"
    ),
    substitute_type(
        path = "compute_primitives::job::JobDetails<A, B, N>",
        with = "::subxt::utils::Static<crate::chain::JobDetails>"
    ),
    substitute_type(
        path = "compute_primitives::KernelId",
        with = "::subxt::utils::Static<::compute_primitives::KernelId>"
    ),
    substitute_type(
        path = "compute_primitives::ResultRoot",
        with = "::subxt::utils::Static<::compute_primitives::ResultRoot>"
    ),
    substitute_type(
        path = "compute_primitives::Commitment",
        with = "::subxt::utils::Static<::compute_primitives::Commitment>"
    ),
    substitute_type(
        path = "compute_primitives::Salt",
        with = "::subxt::utils::Static<::compute_primitives::Salt>"
    ),
    substitute_type(
        path = "compute_primitives::providers::DeterminismClass",
        with = "::subxt::utils::Static<::compute_primitives::DeterminismClass>"
    ),
    derive_for_type(
        path = "pallet_compute_staking::types::ProviderProfile",
        derive = "Clone, PartialEq, Eq",
        recursive
    ),
    derive_for_type(path = "pallet_compute_jobs::types::SlashReason", derive = "Clone, Copy, PartialEq, Eq"),
    derive_for_type(
        path = "pallet_compute_staking::views::ProviderStats",
        derive = "Clone, PartialEq",
        recursive
    ),
    derive_for_type(
        path = "pallet_compute_staking::views::DelegationStats",
        derive = "Clone, PartialEq",
        recursive
    )
)]
pub mod runtime {}
