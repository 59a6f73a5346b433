//! # Compute primitives
//!
//! Types and hash functions shared by the compute chain's runtime and by the GPU worker. Both sides must
//! compute exactly the same bytes, so every hash used by the protocol is defined here, once.
//!
//! ## Terms
//! - **Kernel id**: `blake3(wgsl source)`, the key of a kernel in the on-chain registry.
//! - **Result root**: `blake3(output bytes)`, what a provider computed.
//! - **Commitment**: a provider's sealed claim about a result root, bound to the job and to the provider's
//!   account so that it cannot be copied: `blake3_derive_key(COMMITMENT_CONTEXT, job_id ‖ provider ‖ root ‖ salt)`.
//! - **Generated input**: `len` bytes expanded from a 32-byte seed with the blake3 extendable output, so that
//!   large inputs cost nothing on chain.
//! - **Job spec**: what a requester asks for ([`JobSpec`]), with its bounds as type parameters so that the
//!   worker decodes the chain's bytes with [`Unbounded`] limits (module [`job`]).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod failure;
pub mod job;
pub mod providers;

pub use job::{
    HardwareNeeds, JobDetails, JobInput, JobPhase, JobRecord, JobResult, JobSpec, OpenJob, Replica,
    Unbounded, UnboundedJobSpec, FUEL_CEILING, MAX_ENTRY_POINT_LEN, MAX_INVOCATIONS_PER_WORKGROUP,
    MAX_PARAMS_LEN,
};
pub use providers::{ComputeProviders, DeterminismClass, JobOutcome, ProviderError, Requirements};

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Identifies a job; assigned by the chain in submission order.
pub type JobId = u64;

/// A 32-byte blake3 digest.
pub type Digest = [u8; 32];

/// `blake3(wgsl)`: the registry key of a kernel.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
    Debug,
)]
pub struct KernelId(pub Digest);

/// `blake3(output)`: what a provider claims its job produced.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
    Debug,
)]
pub struct ResultRoot(pub Digest);

/// A provider's sealed commitment to a result root.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
    Debug,
)]
pub struct Commitment(pub Digest);

/// The secret that keeps a commitment hiding until its reveal.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
    Debug,
)]
pub struct Salt(pub Digest);

/// blake3 key-derivation context of commitments. Changing it changes every commitment: it is versioned.
pub const COMMITMENT_CONTEXT: &str = "compute-chain 2026-11 result commitment v1";
/// blake3 key-derivation context of generated inputs.
pub const INPUT_GENERATOR_CONTEXT: &str = "compute-chain 2026-11 generated input v1";

/// The registry key of a kernel: `blake3(wgsl)`.
pub fn kernel_id(wgsl: &[u8]) -> KernelId {
    KernelId(*blake3::hash(wgsl).as_bytes())
}

/// The root of an output: `blake3(output)`.
pub fn result_root(output: &[u8]) -> ResultRoot {
    ResultRoot(*blake3::hash(output).as_bytes())
}

/// The commitment of `provider` (its SCALE-encoded account id) to `root` for `job_id`.
///
/// The job id and the provider are inside the hash, so a commitment copied from another provider, or from
/// another job, does not verify for the copier.
pub fn commitment(job_id: JobId, provider: &[u8], root: &ResultRoot, salt: &Salt) -> Commitment {
    let mut hasher = blake3::Hasher::new_derive_key(COMMITMENT_CONTEXT);
    hasher.update(&job_id.to_le_bytes());
    // Length-prefixed: account ids of different lengths can never collide with the root that follows.
    hasher.update(&(provider.len() as u32).to_le_bytes());
    hasher.update(provider);
    hasher.update(&root.0);
    hasher.update(&salt.0);
    Commitment(*hasher.finalize().as_bytes())
}

/// Fills `out` with the generated input of `seed`: the blake3 extendable output of the seed under
/// [`INPUT_GENERATOR_CONTEXT`]. The first `n` bytes do not depend on `out.len()`.
pub fn generate_input(seed: &Digest, out: &mut [u8]) {
    let mut hasher = blake3::Hasher::new_derive_key(INPUT_GENERATOR_CONTEXT);
    hasher.update(seed);
    hasher.finalize_xof().fill(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex32(digest: &Digest) -> String {
        hex::encode(digest)
    }

    #[test]
    fn commitment_binds_job_provider_root_and_salt() {
        let root = result_root(b"output");
        let salt = Salt([7; 32]);
        let base = commitment(1, &[1; 32], &root, &salt);
        assert_ne!(base, commitment(2, &[1; 32], &root, &salt), "another job");
        assert_ne!(base, commitment(1, &[2; 32], &root, &salt), "another provider");
        assert_ne!(base, commitment(1, &[1; 32], &result_root(b"other"), &salt), "another root");
        assert_ne!(base, commitment(1, &[1; 32], &root, &Salt([8; 32])), "another salt");
        assert_eq!(base, commitment(1, &[1; 32], &root, &salt), "deterministic");
    }

    #[test]
    fn generated_input_is_a_prefix_stable_stream() {
        let seed = [42u8; 32];
        let mut short = [0u8; 40];
        let mut long = [0u8; 4096];
        generate_input(&seed, &mut short);
        generate_input(&seed, &mut long);
        assert_eq!(short[..], long[..40]);
        let mut other = [0u8; 40];
        generate_input(&[43u8; 32], &mut other);
        assert_ne!(short, other);
    }

    /// Published test vectors: the worker, wallets and other implementations must reproduce these bytes.
    #[test]
    fn test_vectors() {
        assert_eq!(
            hex32(&kernel_id(b"").0),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
            "kernel id of the empty source is blake3 of nothing"
        );
        let root = result_root(&[0u8; 16]);
        let provider = [0xd4u8; 32];
        let salt = Salt([0x11; 32]);
        let vector = commitment(7, &provider, &root, &salt);
        let mut generated = [0u8; 16];
        generate_input(&[0u8; 32], &mut generated);
        assert_eq!(hex32(&root.0), ROOT_OF_16_ZEROS);
        assert_eq!(hex32(&vector.0), COMMITMENT_VECTOR);
        assert_eq!(hex::encode(generated), GENERATED_16_FROM_ZERO_SEED);
    }

    // Computed independently with the Python `blake3` package (see the crate README).
    const ROOT_OF_16_ZEROS: &str = "e572dff82304700b856a555ac3a4558d0df3646a3727816500270a93c66aac1e";
    const COMMITMENT_VECTOR: &str = "0a7f6fab9b917405be6e8c8501c0785d83a1f817ddeed91277eb72424c9e7bd6";
    const GENERATED_16_FROM_ZERO_SEED: &str = "3bed96eb1debd13f843d5aa473095bed";
}
