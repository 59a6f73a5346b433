//! Jobs as the chain stores them and the worker reads them (DESIGN §3.2).
//!
//! The bounds of the collections are `Get<u32>` type parameters: the runtime uses its configured limits, the
//! worker decodes the same bytes with [`Unbounded`] limits (SCALE does not encode the bound, so any bound at
//! least as large decodes the same value).
//!
//! `Clone`, `PartialEq`, `Eq` and `Debug` of the bounded types are implemented by hand, without bounds on the
//! `Get` parameters: `#[derive]` would require `ConstU32` and the runtime's parameter types to implement them,
//! which they do not.

use crate::{
    providers::{DeterminismClass, Requirements},
    Digest, KernelId, ResultRoot,
};
use alloc::vec::Vec;
use bounded_collections::{BoundedVec, ConstU32, Get};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt;
use scale_info::TypeInfo;

/// Longest entry point name, in bytes.
pub const MAX_ENTRY_POINT_LEN: u32 = 64;
/// Largest uniform parameter block, in bytes.
pub const MAX_PARAMS_LEN: u32 = 256;
/// Most invocations of one workgroup (WebGPU's default limit): the worker refuses larger workgroups with
/// the canonical `WorkgroupTooLarge` failure, so the chain may count every workgroup as this many.
pub const MAX_INVOCATIONS_PER_WORKGROUP: u32 = 256;
/// The most fuel any job may carry: below the 65 535 iterations after which lavapipe ends every loop, so
/// that a kernel within its budget never meets that cap and CPU and GPU providers compute the same bytes.
pub const FUEL_CEILING: u32 = 65_000;

/// The largest bound: decodes any bounded collection of the protocol (the worker and the runtime API use it).
pub type Unbounded = ConstU32<{ u32::MAX }>;

/// A job spec with [`Unbounded`] collections, as the worker decodes it and the runtime API returns it.
pub type UnboundedJobSpec<Balance> = JobSpec<Balance, Unbounded, Unbounded>;

/// One input buffer of a job, bound read-only in the order of [`JobSpec::inputs`].
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
#[scale_info(skip_type_params(MaxInline))]
#[codec(mel_bound())]
pub enum JobInput<MaxInline: Get<u32>> {
    /// Bytes stored on chain with the job.
    #[codec(index = 0)]
    Inline(BoundedVec<u8, MaxInline>),
    /// `len` bytes of `generate_input(seed)`: every worker expands them identically, nothing is transferred.
    #[codec(index = 1)]
    Generated {
        /// Seed of the blake3 extendable output.
        seed: Digest,
        /// Length of the input in bytes.
        len: u32,
    },
}

impl<MaxInline: Get<u32>> JobInput<MaxInline> {
    /// The length of the input buffer in bytes.
    pub fn len(&self) -> u32 {
        match self {
            JobInput::Inline(bytes) => bytes.len() as u32,
            JobInput::Generated { len, .. } => *len,
        }
    }

    /// Whether the input is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The same input with another bound (never truncates when `Other` is at least as large).
    pub fn rebound<Other: Get<u32>>(&self) -> JobInput<Other> {
        match self {
            JobInput::Inline(bytes) => JobInput::Inline(BoundedVec::truncate_from(bytes.to_vec())),
            JobInput::Generated { seed, len } => JobInput::Generated { seed: *seed, len: *len },
        }
    }
}

impl<MaxInline: Get<u32>> Clone for JobInput<MaxInline> {
    fn clone(&self) -> Self {
        match self {
            JobInput::Inline(bytes) => JobInput::Inline(bytes.clone()),
            JobInput::Generated { seed, len } => JobInput::Generated { seed: *seed, len: *len },
        }
    }
}

impl<MaxInline: Get<u32>> PartialEq for JobInput<MaxInline> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (JobInput::Inline(a), JobInput::Inline(b)) => a == b,
            (JobInput::Generated { seed: s1, len: l1 }, JobInput::Generated { seed: s2, len: l2 }) => {
                s1 == s2 && l1 == l2
            }
            _ => false,
        }
    }
}

impl<MaxInline: Get<u32>> Eq for JobInput<MaxInline> {}

impl<MaxInline: Get<u32>> fmt::Debug for JobInput<MaxInline> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobInput::Inline(bytes) => f.debug_tuple("Inline").field(&bytes.as_slice()).finish(),
            JobInput::Generated { seed, len } => {
                f.debug_struct("Generated").field("seed", seed).field("len", len).finish()
            }
        }
    }
}

/// What a job needs of the machines that run it.
#[derive(
    Clone, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct HardwareNeeds {
    /// Least GPU memory, in MiB.
    pub min_vram_mib: u32,
    /// `None`: an exact (integer or fixed-point) job; workers reject floating-point kernels for it, and any
    /// provider may run it. `Some`: a floating-point job, replicated only among providers of this class.
    pub determinism_class: Option<DeterminismClass>,
}

/// A compute job: which kernel to run on which inputs, how often, and for how much.
///
/// Bindings (group 0): the inputs, read-only storage buffers at `0 .. n`; the output, a read-write storage
/// buffer of `output_len` bytes at `n`; the parameter block, a uniform buffer at `n + 1` when `params` is not
/// empty (WebGPU style).
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
#[scale_info(skip_type_params(MaxInputs, MaxInline))]
#[codec(mel_bound(Balance: MaxEncodedLen))]
pub struct JobSpec<Balance, MaxInputs: Get<u32>, MaxInline: Get<u32>> {
    /// The registered kernel to run.
    pub kernel: KernelId,
    /// The compute entry point of the kernel (an ASCII identifier).
    pub entry_point: BoundedVec<u8, ConstU32<MAX_ENTRY_POINT_LEN>>,
    /// The input buffers, in binding order.
    pub inputs: BoundedVec<JobInput<MaxInline>, MaxInputs>,
    /// The uniform parameter block bound after the output; empty when the kernel has none.
    pub params: BoundedVec<u8, ConstU32<MAX_PARAMS_LEN>>,
    /// Size of the output buffer in bytes: its blake3 hash is the result root.
    pub output_len: u32,
    /// The dispatch size: workgroups in x, y and z.
    pub workgroups: [u32; 3],
    /// The compute budget: the most loop iterations one invocation may run, all its loops together. It is
    /// deterministic, unlike a clock: a kernel that exceeds it ends with the canonical `OutOfFuel` failure on
    /// every provider, whatever its speed. The chain sizes the commit window from it
    /// ([`JobSpec::compute_steps`]).
    pub fuel: u32,
    /// How many providers run the job independently.
    pub replicas: u8,
    /// How many of them must reveal the same result root for it to win (more than half of `replicas`).
    pub quorum: u8,
    /// Paid to each provider that reveals the winning root.
    pub reward_per_replica: Balance,
    /// Blocks the assigned providers have to commit.
    pub commit_window: u32,
    /// Blocks the committed providers have to reveal, once every replica committed or the commit window
    /// closed.
    pub reveal_window: u32,
    /// Blocks the job may wait for providers; it is refunded if none are found by then.
    pub queue_window: u32,
    /// What the machines must offer.
    pub needs: HardwareNeeds,
}

impl<Balance: Clone, MaxInputs: Get<u32>, MaxInline: Get<u32>> JobSpec<Balance, MaxInputs, MaxInline> {
    /// What a provider must offer to be assigned the job: the offer is the reward per replica; `min_stake`
    /// is the chain's rule (the stake that makes cheating on this reward cost more than it earns).
    pub fn requirements(&self, min_stake: Balance) -> Requirements<Balance> {
        Requirements {
            min_vram_mib: self.needs.min_vram_mib,
            determinism_class: self.needs.determinism_class,
            offer: self.reward_per_replica.clone(),
            min_stake,
            beyond_capacity: false,
        }
    }

    /// The size of the job: the number of workgroups dispatched, `x × y × z` (saturating).
    ///
    /// This is the unit in which verified work is counted and the emission is shared: each provider that
    /// reveals the winning root is credited with the job's work units.
    pub fn work_units(&self) -> u64 {
        let [x, y, z] = self.workgroups;
        (x as u64).saturating_mul(y as u64).saturating_mul(z as u64)
    }

    /// The most work the job may take, in invocation steps: every invocation of every workgroup
    /// (`MAX_INVOCATIONS_PER_WORKGROUP` per workgroup, whatever the kernel declares) running its straight-line
    /// code `fuel + 1` times (saturating; exact within the chain's limits, which keep it below 2^73).
    pub fn compute_steps(&self) -> u128 {
        u128::from(self.work_units())
            .saturating_mul(u128::from(MAX_INVOCATIONS_PER_WORKGROUP))
            .saturating_mul(u128::from(self.fuel).saturating_add(1))
    }

    /// The shortest commit window for this job on a kernel of `kernel_len` bytes: `inclusion` blocks, plus
    /// the blocks its budget takes at `byte_steps_per_block` (one invocation running one byte of source
    /// once is a byte-step), rounded up. Between two loop iterations an invocation runs each statement of
    /// its source at most once, so the source's length bounds the cost of each of its
    /// [`compute_steps`](Self::compute_steps) (calls count at their inlined size, which the worker bounds
    /// before it compiles). `None` when it does not fit a `u32`.
    pub fn commit_window_needed(
        &self,
        kernel_len: u32,
        inclusion: u32,
        byte_steps_per_block: u64,
    ) -> Option<u32> {
        // Below 2^105 within any chain's limits (2^48 workgroups, 2^8 invocations, 2^32 fuel, 2^17 bytes).
        let budget = self.compute_steps().saturating_mul(u128::from(kernel_len.max(1)));
        let blocks = budget.div_ceil(u128::from(byte_steps_per_block.max(1)));
        u32::try_from(blocks.checked_add(u128::from(inclusion))?).ok()
    }

    /// Whether the job requires an exact (integer or fixed-point) result: no determinism class.
    pub fn is_exact(&self) -> bool {
        self.needs.determinism_class.is_none()
    }

    /// The same spec with other bounds (never truncates when the new bounds are at least as large).
    pub fn rebound<I: Get<u32>, L: Get<u32>>(&self) -> JobSpec<Balance, I, L> {
        JobSpec {
            kernel: self.kernel,
            entry_point: self.entry_point.clone(),
            inputs: BoundedVec::truncate_from(self.inputs.iter().map(JobInput::rebound).collect::<Vec<_>>()),
            params: self.params.clone(),
            output_len: self.output_len,
            workgroups: self.workgroups,
            fuel: self.fuel,
            replicas: self.replicas,
            quorum: self.quorum,
            reward_per_replica: self.reward_per_replica.clone(),
            commit_window: self.commit_window,
            reveal_window: self.reveal_window,
            queue_window: self.queue_window,
            needs: self.needs.clone(),
        }
    }
}

impl<Balance: Clone, MaxInputs: Get<u32>, MaxInline: Get<u32>> Clone
    for JobSpec<Balance, MaxInputs, MaxInline>
{
    fn clone(&self) -> Self {
        self.rebound()
    }
}

impl<Balance: PartialEq, MaxInputs: Get<u32>, MaxInline: Get<u32>> PartialEq
    for JobSpec<Balance, MaxInputs, MaxInline>
{
    fn eq(&self, other: &Self) -> bool {
        self.kernel == other.kernel
            && self.entry_point == other.entry_point
            && self.inputs == other.inputs
            && self.params == other.params
            && self.output_len == other.output_len
            && self.workgroups == other.workgroups
            && self.fuel == other.fuel
            && self.replicas == other.replicas
            && self.quorum == other.quorum
            && self.reward_per_replica == other.reward_per_replica
            && self.commit_window == other.commit_window
            && self.reveal_window == other.reveal_window
            && self.queue_window == other.queue_window
            && self.needs == other.needs
    }
}

impl<Balance: Eq, MaxInputs: Get<u32>, MaxInline: Get<u32>> Eq for JobSpec<Balance, MaxInputs, MaxInline> {}

impl<Balance: fmt::Debug, MaxInputs: Get<u32>, MaxInline: Get<u32>> fmt::Debug
    for JobSpec<Balance, MaxInputs, MaxInline>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobSpec")
            .field("kernel", &self.kernel)
            .field("entry_point", &self.entry_point.as_slice())
            .field("inputs", &self.inputs.as_slice())
            .field("params", &self.params.as_slice())
            .field("output_len", &self.output_len)
            .field("workgroups", &self.workgroups)
            .field("fuel", &self.fuel)
            .field("replicas", &self.replicas)
            .field("quorum", &self.quorum)
            .field("reward_per_replica", &self.reward_per_replica)
            .field("commit_window", &self.commit_window)
            .field("reveal_window", &self.reveal_window)
            .field("queue_window", &self.queue_window)
            .field("needs", &self.needs)
            .finish()
    }
}

/// Where an open job is in its lifecycle (DESIGN §3).
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum JobPhase {
    /// Waiting for providers (no replica assigned yet).
    #[codec(index = 0)]
    Queued,
    /// Assigned: the providers run the job and commit to their result.
    #[codec(index = 1)]
    Committing,
    /// The providers that committed reveal their result root and salt.
    #[codec(index = 2)]
    Revealing,
}

/// One assigned provider of a job and how far it got.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct Replica<AccountId> {
    /// The provider.
    pub provider: AccountId,
    /// Its commitment, once committed.
    pub commitment: Option<crate::Commitment>,
    /// Its result root, once revealed (and checked against the commitment).
    pub revealed: Option<ResultRoot>,
}

/// How a finished job ended.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum JobResult {
    /// A quorum revealed `root`; its providers were paid.
    #[codec(index = 0)]
    Completed {
        /// The winning result root.
        root: ResultRoot,
    },
    /// No root reached the quorum: the escrow was refunded.
    #[codec(index = 1)]
    Failed,
    /// The requester cancelled the job before any commitment.
    #[codec(index = 2)]
    Cancelled,
    /// No providers were found within the queue window: the escrow was refunded, the fee taken.
    #[codec(index = 3)]
    Expired,
    /// The replicas disagreed and the dispute found no clear verdict (a non-deterministic kernel, or no
    /// referee to be had): nobody was slashed for its result, every replica that revealed was paid.
    #[codec(index = 4)]
    NoConsensus,
}

/// The compact record of a finished job, kept for a retention period. `MaxWinners` bounds `winners`
/// (the runtime: replicas and referees; the runtime API: [`Unbounded`]).
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
#[scale_info(skip_type_params(MaxWinners))]
#[codec(mel_bound(AccountId: MaxEncodedLen, BlockNumber: MaxEncodedLen))]
pub struct JobRecord<AccountId, BlockNumber, MaxWinners: Get<u32>> {
    /// Who submitted the job.
    pub requester: AccountId,
    /// The kernel it ran.
    pub kernel: KernelId,
    /// How it ended.
    pub outcome: JobResult,
    /// The block in which it ended.
    pub finished_at: BlockNumber,
    /// The providers that were paid for it, in replica order (referees last): those that revealed the
    /// winning root, or every one that revealed when there was no consensus; empty otherwise. Whoever
    /// fetches the output asks them first.
    pub winners: BoundedVec<AccountId, MaxWinners>,
}

impl<AccountId: Clone, BlockNumber: Clone, MaxWinners: Get<u32>>
    JobRecord<AccountId, BlockNumber, MaxWinners>
{
    /// The same record with another bound (never truncates when `Other` is at least as large).
    pub fn rebound<Other: Get<u32>>(&self) -> JobRecord<AccountId, BlockNumber, Other> {
        JobRecord {
            requester: self.requester.clone(),
            kernel: self.kernel,
            outcome: self.outcome,
            finished_at: self.finished_at.clone(),
            winners: BoundedVec::truncate_from(self.winners.to_vec()),
        }
    }
}

impl<AccountId: Clone, BlockNumber: Clone, MaxWinners: Get<u32>> Clone
    for JobRecord<AccountId, BlockNumber, MaxWinners>
{
    fn clone(&self) -> Self {
        self.rebound()
    }
}

impl<AccountId: PartialEq, BlockNumber: PartialEq, MaxWinners: Get<u32>> PartialEq
    for JobRecord<AccountId, BlockNumber, MaxWinners>
{
    fn eq(&self, other: &Self) -> bool {
        self.requester == other.requester
            && self.kernel == other.kernel
            && self.outcome == other.outcome
            && self.finished_at == other.finished_at
            && self.winners == other.winners
    }
}

impl<AccountId: Eq, BlockNumber: Eq, MaxWinners: Get<u32>> Eq
    for JobRecord<AccountId, BlockNumber, MaxWinners>
{
}

impl<AccountId: fmt::Debug, BlockNumber: fmt::Debug, MaxWinners: Get<u32>> fmt::Debug
    for JobRecord<AccountId, BlockNumber, MaxWinners>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobRecord")
            .field("requester", &self.requester)
            .field("kernel", &self.kernel)
            .field("outcome", &self.outcome)
            .field("finished_at", &self.finished_at)
            .field("winners", &self.winners.as_slice())
            .finish()
    }
}

/// An open job as the runtime API returns it, with [`Unbounded`] collections.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct OpenJob<AccountId, Balance, BlockNumber> {
    /// Who submitted the job.
    pub requester: AccountId,
    /// What to run.
    pub spec: UnboundedJobSpec<Balance>,
    /// Held for the providers: `(replicas + referees) × reward_per_replica`; the referees' part pays a
    /// dispute and is refunded without one.
    pub escrow: Balance,
    /// Held for the protocol fee.
    pub fee: Balance,
    /// Held as the storage deposit while the job is open (0 for the chain's canaries).
    pub deposit: Balance,
    /// Where the job is.
    pub phase: JobPhase,
    /// When it was submitted.
    pub submitted_at: BlockNumber,
    /// The block at whose start the job is handled next: the end of its queue, commit or reveal window, or
    /// its resolution.
    pub deadline: BlockNumber,
    /// The assigned providers (empty while queued), then the referees of a dispute (`spec.replicas ..`).
    pub replicas: Vec<Replica<AccountId>>,
}

/// A job as the runtime API returns it: open, or the record of how it ended.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum JobDetails<AccountId, Balance, BlockNumber> {
    /// Submitted and not finished.
    #[codec(index = 0)]
    Open(OpenJob<AccountId, Balance, BlockNumber>),
    /// Finished within the retention period.
    #[codec(index = 1)]
    Finished(JobRecord<AccountId, BlockNumber, Unbounded>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{failure, kernel_id};
    use alloc::vec;

    type Spec = JobSpec<u128, ConstU32<4>, ConstU32<64>>;

    fn spec() -> Spec {
        JobSpec {
            kernel: kernel_id(b"@compute @workgroup_size(64) fn main() {}"),
            entry_point: BoundedVec::truncate_from(b"main".to_vec()),
            inputs: BoundedVec::truncate_from(vec![
                JobInput::Inline(BoundedVec::truncate_from(vec![1, 2, 3, 4])),
                JobInput::Generated { seed: [9; 32], len: 1 << 20 },
            ]),
            params: BoundedVec::truncate_from(vec![0, 0, 0, 7]),
            output_len: 4096,
            workgroups: [16, 4, 2],
            fuel: 100,
            replicas: 3,
            quorum: 2,
            reward_per_replica: 1_000_000,
            commit_window: 20,
            reveal_window: 10,
            queue_window: 50,
            needs: HardwareNeeds { min_vram_mib: 2048, determinism_class: None },
        }
    }

    #[test]
    fn spec_round_trips() {
        let spec = spec();
        let bytes = spec.encode();
        assert_eq!(Spec::decode(&mut &bytes[..]).unwrap(), spec);
        let mut float = spec.clone();
        float.needs.determinism_class = Some(DeterminismClass([3; 16]));
        assert_eq!(Spec::decode(&mut &float.encode()[..]).unwrap(), float);
        assert_ne!(float, spec);
        assert!(spec.encoded_size() <= Spec::max_encoded_len());
    }

    #[test]
    fn a_spec_decodes_with_larger_bounds() {
        let spec = spec();
        let bytes = spec.encode();
        let wide = UnboundedJobSpec::<u128>::decode(&mut &bytes[..]).unwrap();
        assert_eq!(wide, spec.rebound::<Unbounded, Unbounded>());
        assert_eq!(wide.encode(), bytes, "the bound is not part of the encoding");
        assert_eq!(wide.inputs.len(), 2);
        assert_eq!(wide.inputs[1], JobInput::Generated { seed: [9; 32], len: 1 << 20 });
    }

    #[test]
    fn a_spec_beyond_its_bounds_does_not_decode() {
        let mut wide = spec().rebound::<Unbounded, Unbounded>();
        wide.inputs = BoundedVec::truncate_from(vec![JobInput::Generated { seed: [0; 32], len: 4 }; 5]);
        assert!(Spec::decode(&mut &wide.encode()[..]).is_err(), "5 inputs, at most 4");
        let mut wide = spec().rebound::<Unbounded, Unbounded>();
        wide.inputs =
            BoundedVec::truncate_from(vec![JobInput::Inline(BoundedVec::truncate_from(vec![0; 65]))]);
        assert!(Spec::decode(&mut &wide.encode()[..]).is_err(), "65 inline bytes, at most 64");
    }

    #[test]
    fn derived_values() {
        let spec = spec();
        assert_eq!(spec.work_units(), 16 * 4 * 2);
        assert!(spec.is_exact());
        assert_eq!(
            spec.requirements(7),
            Requirements {
                min_vram_mib: 2048,
                determinism_class: None,
                offer: 1_000_000,
                min_stake: 7,
                beyond_capacity: false
            }
        );
        let mut huge = spec.clone();
        huge.workgroups = [u32::MAX; 3];
        assert_eq!(huge.work_units(), u64::MAX, "saturates");
        assert_eq!(spec.compute_steps(), 16 * 4 * 2 * 256 * 101);
        huge.fuel = u32::MAX;
        assert_eq!(huge.compute_steps(), u128::from(u64::MAX) * 256 * (1 << 32), "no overflow");
        assert_eq!(huge.commit_window_needed(u32::MAX, 5, u64::MAX), None, "no overflow");
        // 16 × 4 × 2 × 256 × 101 × 1000 byte-steps: 3.08 blocks of 2^30, rounded up, after 5.
        assert_eq!(spec.commit_window_needed(1000, 5, 1 << 30), Some(9));
        assert_eq!(spec.commit_window_needed(1000, 5, u64::MAX), Some(6), "some compute, however fast");
        assert_eq!(spec.inputs[0].len(), 4);
        assert_eq!(spec.inputs[1].len(), 1 << 20);
    }

    #[test]
    fn details_round_trip() {
        let open: JobDetails<u64, u128, u32> = JobDetails::Open(OpenJob {
            requester: 7,
            spec: spec().rebound(),
            escrow: 3_000_000,
            fee: 10,
            deposit: 300,
            phase: JobPhase::Revealing,
            submitted_at: 5,
            deadline: 30,
            replicas: vec![Replica {
                provider: 1,
                commitment: Some(crate::Commitment([1; 32])),
                revealed: Some(failure::failure_root(failure::FailureReason::OutOfFuel)),
            }],
        });
        assert_eq!(JobDetails::decode(&mut &open.encode()[..]).unwrap(), open);
        let finished: JobDetails<u64, u128, u32> = JobDetails::Finished(JobRecord {
            requester: 7,
            kernel: KernelId([2; 32]),
            outcome: JobResult::Completed { root: ResultRoot([3; 32]) },
            finished_at: 40,
            winners: BoundedVec::truncate_from(vec![1, 2]),
        });
        assert_eq!(JobDetails::decode(&mut &finished.encode()[..]).unwrap(), finished);
    }
}
