//! Canonical failure results (DESIGN §3.8).
//!
//! A job that cannot run (its kernel fails validation, it exceeds the protocol's limits, it runs out of
//! fuel) does not make an honest provider crash or stay silent: the provider commits to the *failure root*
//! of the reason instead of the root of an output. Every honest provider derives the same failure root from
//! the same reason, whatever its machine, so replicas still agree, reach the quorum, and are paid.
//!
//! `failure_root(reason) = blake3_derive_key(FAILURE_CONTEXT, FAILURE_MARKER ‖ code as u16 LE)`.
//!
//! The derive-key mode separates failure roots from output roots (`blake3(output)`, the plain hash mode): no
//! output can be crafted whose root is a failure root. The codes of [`FailureReason`] are part of the
//! protocol: a code is never reused for another reason, and new reasons get new codes.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::ResultRoot;

/// blake3 key-derivation context of failure roots. Changing it changes every failure root: it is versioned.
pub const FAILURE_CONTEXT: &str = "compute-chain 2026-11 failure result v1";

/// The fixed marker hashed in front of the reason code.
pub const FAILURE_MARKER: &[u8; 16] = b"JOB-FAILED\0\0\0\0v1";

/// Why a job yields a failure result instead of an output. The numeric code of each reason is stable.
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
#[repr(u16)]
pub enum FailureReason {
    /// The kernel is not valid WGSL: it does not parse, or naga's validator rejects it.
    #[codec(index = 1)]
    InvalidWgsl = 1,
    /// The entry point does not exist or is not a compute entry point.
    #[codec(index = 2)]
    EntryPointNotFound = 2,
    /// The kernel's resource bindings do not follow the binding convention for the job's inputs, output and
    /// parameters (group 0; inputs read-only storage at `0..n`, output read-write storage at `n`, optional
    /// uniform parameters at `n + 1`), or a buffer is smaller than the type bound to it.
    #[codec(index = 3)]
    BindingMismatch = 3,
    /// A job that requires an exact result uses a floating-point type or operation.
    #[codec(index = 4)]
    FloatInExactJob = 4,
    /// The kernel uses a feature the protocol does not allow (pipeline overrides, textures, immediates...).
    #[codec(index = 5)]
    UnsupportedFeature = 5,
    /// The workgroup size exceeds the protocol's limits.
    #[codec(index = 6)]
    WorkgroupTooLarge = 6,
    /// The kernel's workgroup memory exceeds the protocol's limit.
    #[codec(index = 7)]
    WorkgroupMemoryTooLarge = 7,
    /// The dispatch size exceeds the protocol's limits.
    #[codec(index = 8)]
    DispatchTooLarge = 8,
    /// More inputs than the protocol allows.
    #[codec(index = 9)]
    TooManyInputs = 9,
    /// An input (or the parameter block) is larger than the protocol allows.
    #[codec(index = 10)]
    InputTooLarge = 10,
    /// The output is larger than the protocol allows, or empty.
    #[codec(index = 11)]
    OutputTooLarge = 11,
    /// The kernel passed validation but the GPU API rejected its pipeline.
    #[codec(index = 12)]
    PipelineRejected = 12,
    /// The provider ran out of the job's commit window. How long a job takes depends on the machine, so this
    /// is never a result: its root is an *abstention*, which the chain neither pays nor slashes and leaves
    /// out of the verdict. A provider reveals it so that running out of time costs it the reward but never
    /// stake (a kernel that loops past its fuel, while loops are not yet metered, would otherwise get
    /// every honest replica slashed).
    #[codec(index = 13)]
    Timeout = 13,
    /// The kernel ran more loop iterations in one invocation than the job's `fuel`: a deterministic count,
    /// the same on every machine.
    #[codec(index = 14)]
    OutOfFuel = 14,
}

impl FailureReason {
    /// Every reason, in code order.
    pub const ALL: [FailureReason; 14] = [
        FailureReason::InvalidWgsl,
        FailureReason::EntryPointNotFound,
        FailureReason::BindingMismatch,
        FailureReason::FloatInExactJob,
        FailureReason::UnsupportedFeature,
        FailureReason::WorkgroupTooLarge,
        FailureReason::WorkgroupMemoryTooLarge,
        FailureReason::DispatchTooLarge,
        FailureReason::TooManyInputs,
        FailureReason::InputTooLarge,
        FailureReason::OutputTooLarge,
        FailureReason::PipelineRejected,
        FailureReason::Timeout,
        FailureReason::OutOfFuel,
    ];

    /// The stable numeric code of this reason.
    pub const fn code(self) -> u16 {
        self as u16
    }

    /// The reason with this code, if any.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.iter().copied().find(|reason| reason.code() == code)
    }

    /// A short stable name, for logs and command-line output.
    pub const fn name(self) -> &'static str {
        match self {
            FailureReason::InvalidWgsl => "invalid-wgsl",
            FailureReason::EntryPointNotFound => "entry-point-not-found",
            FailureReason::BindingMismatch => "binding-mismatch",
            FailureReason::FloatInExactJob => "float-in-exact-job",
            FailureReason::UnsupportedFeature => "unsupported-feature",
            FailureReason::WorkgroupTooLarge => "workgroup-too-large",
            FailureReason::WorkgroupMemoryTooLarge => "workgroup-memory-too-large",
            FailureReason::DispatchTooLarge => "dispatch-too-large",
            FailureReason::TooManyInputs => "too-many-inputs",
            FailureReason::InputTooLarge => "input-too-large",
            FailureReason::OutputTooLarge => "output-too-large",
            FailureReason::PipelineRejected => "pipeline-rejected",
            FailureReason::Timeout => "timeout",
            FailureReason::OutOfFuel => "out-of-fuel",
        }
    }
}

/// The canonical result root of a job that failed for `reason`.
pub fn failure_root(reason: FailureReason) -> ResultRoot {
    let mut hasher = blake3::Hasher::new_derive_key(FAILURE_CONTEXT);
    hasher.update(FAILURE_MARKER);
    hasher.update(&reason.code().to_le_bytes());
    ResultRoot(*hasher.finalize().as_bytes())
}

/// The reason whose failure root is `root`, if `root` is a failure root.
pub fn failure_reason_of(root: &ResultRoot) -> Option<FailureReason> {
    FailureReason::ALL.iter().copied().find(|reason| failure_root(*reason) == *root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result_root;

    #[test]
    fn codes_are_stable_and_round_trip() {
        for (i, reason) in FailureReason::ALL.iter().enumerate() {
            assert_eq!(reason.code() as usize, i + 1, "codes are 1, 2, 3... in order");
            assert_eq!(FailureReason::from_code(reason.code()), Some(*reason));
            // SCALE encodes the reason as its code.
            assert_eq!(reason.encode(), [reason.code() as u8]);
        }
        assert_eq!(FailureReason::from_code(0), None);
        assert_eq!(FailureReason::from_code(FailureReason::ALL.len() as u16 + 1), None);
    }

    #[test]
    fn failure_roots_are_distinct_and_recognisable() {
        for a in FailureReason::ALL {
            assert_eq!(failure_reason_of(&failure_root(a)), Some(a));
            for b in FailureReason::ALL {
                assert_eq!(a == b, failure_root(a) == failure_root(b));
            }
        }
        // An output that spells the marker and code is still not a failure: the hash modes differ.
        let mut spelled = FAILURE_MARKER.to_vec();
        spelled.extend_from_slice(&FailureReason::Timeout.code().to_le_bytes());
        assert_eq!(failure_reason_of(&result_root(&spelled)), None);
    }

    /// Published test vector: other implementations must reproduce it.
    #[test]
    fn timeout_vector() {
        assert_eq!(hex::encode(failure_root(FailureReason::Timeout).0), TIMEOUT_ROOT);
    }

    // Computed independently with the Python `blake3` package:
    // blake3(b"JOB-FAILED\0\0\0\0v1" + (13).to_bytes(2, "little"),
    //        derive_key_context="compute-chain 2026-11 failure result v1").hexdigest()
    const TIMEOUT_ROOT: &str = "350812abcc3846c4868740cfde7da8e4ce39595064333d87937ee69c997c106a";
}
