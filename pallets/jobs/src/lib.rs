#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod canary;
mod impls;
mod invariants;
mod lifecycle;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use canary::{Canary, CanaryJobs, CANARY_SUBJECT};
pub use lifecycle::{
    abstention_root, ASSIGNMENT_SUBJECT, DEADLINE_STEPS, DISPUTE_SUBJECT, MAX_SLASH_PER_JOB,
};
pub use types::*;
pub use weights::WeightInfo;

/// Log target of the pallet.
pub(crate) const LOG_TARGET: &str = "runtime::compute-jobs";

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use alloc::{boxed::Box, vec::Vec};
    use compute_primitives::{Commitment, ComputeProviders, JobId, KernelId, ResultRoot, Salt};
    use frame_support::{
        pallet_prelude::*,
        traits::{fungible, OnUnbalanced, Randomness},
        PalletId,
    };
    use frame_system::pallet_prelude::*;
    use sp_runtime::Perbill;

    /// The in-code storage version.
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    /// Why the pallet holds tokens.
    #[pallet::composite_enum]
    pub enum HoldReason {
        /// A requester's escrow and fee for an open job (`replicas × reward_per_replica + JobFee`).
        #[codec(index = 0)]
        JobEscrow,
        /// A kernel owner's storage deposit (`KernelDepositBase + KernelDepositPerByte × length`).
        #[codec(index = 1)]
        KernelDeposit,
        /// A requester's storage deposit for an open job (`JobDepositBase + JobDepositPerByte × the
        /// spec's encoded length`), released however the job ends.
        #[codec(index = 2)]
        JobDeposit,
    }

    #[pallet::config]
    pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
        /// The overarching hold reason.
        type RuntimeHoldReason: From<HoldReason>;

        /// The currency: holds for escrows and kernel deposits, `hold::Balanced::slash` to take the fee from
        /// a hold, `Balanced::resolve` to pay out slashed funds.
        type Currency: fungible::Inspect<Self::AccountId>
            + fungible::Mutate<Self::AccountId>
            + fungible::InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
            + fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
            + fungible::hold::Balanced<Self::AccountId>
            + fungible::Balanced<Self::AccountId>;

        /// The providers (the staking pallet in the runtime): sampling, capacity slots, rewards, slashes and
        /// reputation.
        type Providers: ComputeProviders<
            Self::AccountId,
            Balance = BalanceOf<Self>,
            SlashedFunds = CreditOf<Self>,
            BlockNumber = BlockNumberFor<Self>,
        >;

        /// Randomness the block author cannot choose (BABE's `ParentBlockRandomness`). When it has none
        /// (early blocks), the parent block hash is used instead.
        type Randomness: Randomness<Option<Self::Hash>, BlockNumberFor<Self>>;

        /// Receives the job fees (the runtime burns them).
        type FeeDestination: OnUnbalanced<CreditOf<Self>>;

        /// Fixed part of a kernel's storage deposit.
        #[pallet::constant]
        type KernelDepositBase: Get<BalanceOf<Self>>;

        /// Part of a kernel's storage deposit per byte of source.
        #[pallet::constant]
        type KernelDepositPerByte: Get<BalanceOf<Self>>;

        /// Fixed part of an open job's storage deposit.
        #[pallet::constant]
        type JobDepositBase: Get<BalanceOf<Self>>;

        /// Part of an open job's storage deposit per byte of its encoded spec (inline inputs included).
        #[pallet::constant]
        type JobDepositPerByte: Get<BalanceOf<Self>>;

        /// Longest kernel source, in bytes.
        #[pallet::constant]
        type MaxKernelLength: Get<u32>;

        /// Most replicas of a job (at most 255: `replicas` is a `u8`).
        #[pallet::constant]
        type MaxReplicas: Get<u32>;

        /// Most input buffers of a job.
        #[pallet::constant]
        type MaxInputs: Get<u32>;

        /// Largest inline input, in bytes (also the type bound of inline inputs).
        #[pallet::constant]
        type MaxInlineInput: Get<u32>;

        /// Largest generated input, in bytes.
        #[pallet::constant]
        type MaxGeneratedInput: Get<u32>;

        /// Largest output, in bytes (a multiple of 4).
        #[pallet::constant]
        type MaxOutputLength: Get<u32>;

        /// Most workgroups of a dispatch in each dimension.
        #[pallet::constant]
        type MaxWorkgroupsPerDimension: Get<u32>;

        /// Shortest commit window, in blocks (> 0).
        #[pallet::constant]
        type MinCommitWindow: Get<u32>;

        /// Longest commit window, in blocks.
        #[pallet::constant]
        type MaxCommitWindow: Get<u32>;

        /// Most fuel a job may carry (at most `compute_primitives::FUEL_CEILING`): the most loop iterations
        /// one invocation may run.
        #[pallet::constant]
        type MaxFuel: Get<u32>;

        /// Work the slowest machine the network admits does in one block (> 0), in byte-steps: one
        /// invocation running one byte of the kernel's source once, straight through. A job's budget is its
        /// `JobSpec::compute_steps` (each a run of straight-line code between two loop iterations) times its
        /// kernel's length; its commit window must be at least `MinCommitWindow` plus the blocks that budget
        /// takes, so an eligible provider always has the time its job needs.
        #[pallet::constant]
        type ByteStepsPerBlock: Get<u64>;

        /// Shortest reveal window, in blocks (> 0).
        #[pallet::constant]
        type MinRevealWindow: Get<u32>;

        /// Longest reveal window, in blocks.
        #[pallet::constant]
        type MaxRevealWindow: Get<u32>;

        /// Longest time a job may wait for providers, in blocks (> 0).
        #[pallet::constant]
        type MaxQueueWindow: Get<u32>;

        /// Protocol fee of a job, held with the escrow and paid to `FeeDestination` when the job ends, however
        /// it ends (an unserved job pays it too, so the queue is not free to fill).
        #[pallet::constant]
        type JobFee: Get<BalanceOf<Self>>;

        /// Least reward per replica.
        #[pallet::constant]
        type MinRewardPerReplica: Get<BalanceOf<Self>>;

        /// Slash of a provider that revealed a losing root, or committed and withheld its reveal, as a share
        /// of its stake at risk (snapshotted at assignment). At most [`MAX_SLASH_PER_JOB`]; the reward plays
        /// no part in it.
        #[pallet::constant]
        type WrongResultSlash: Get<Perbill>;

        /// Cheating must cost this many times what it earns: a provider is assigned a job only if
        /// `WrongResultSlash × stake >= SlashRewardMultiple × reward_per_replica` (> 0).
        #[pallet::constant]
        type SlashRewardMultiple: Get<u32>;

        /// Slash of a provider that did not commit in time, as a share of its stake at risk; at most
        /// `WrongResultSlash`.
        #[pallet::constant]
        type LivenessSlash: Get<Perbill>;

        /// Referees drawn when the replicas of a job disagree (0: no disputes; replicas that disagree then
        /// end the job without a verdict).
        #[pallet::constant]
        type DisputeReferees: Get<u32>;

        /// Paid to each assigned provider, as a share of the reward, when the requester cancels a job
        /// before anyone committed.
        #[pallet::constant]
        type CancelCompensation: Get<Perbill>;

        /// Receives slashed funds, less what reimburses a requester for the referees it paid (the runtime
        /// burns them).
        type SlashDestination: OnUnbalanced<CreditOf<Self>>;

        /// Most jobs waiting for providers.
        #[pallet::constant]
        type MaxQueuedJobs: Get<u32>;

        /// Most assignment attempts of queued jobs per block.
        #[pallet::constant]
        type MaxAssignmentsPerBlock: Get<u32>;

        /// Most jobs handled at the start of one block (> 0). Deadlines beyond it in one block are handled
        /// in the blocks after, oldest first.
        #[pallet::constant]
        type MaxDeadlinesPerBlock: Get<u32>;

        /// Blocks for which the record of a finished job is kept.
        #[pallet::constant]
        type RetentionPeriod: Get<BlockNumberFor<Self>>;

        /// Most records pruned per block.
        #[pallet::constant]
        type MaxPrunedPerBlock: Get<u32>;

        /// Names the account that stands as the requester of canary jobs (it holds nothing).
        #[pallet::constant]
        type PalletId: Get<PalletId>;

        /// The canary jobs the chain issues every `CanaryInterval` blocks: the only work the emission pays.
        type Canaries: CanaryJobs<Self>;

        /// Canaries draw only providers that ask at most this: stake that prices itself out of the
        /// requesters' market earns no emission.
        #[pallet::constant]
        type MaxCanaryAsk: Get<BalanceOf<Self>>;

        /// May change `CanaryInterval`.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

        /// Weights of calls and hooks.
        type WeightInfo: WeightInfo;

        /// Sets up providers for the benchmarks.
        #[cfg(feature = "runtime-benchmarks")]
        type BenchmarkHelper: BenchmarkHelper<Self>;
    }

    /// Registered kernels (small records; the source is in `KernelCode`).
    #[pallet::storage]
    pub type Kernels<T: Config> = StorageMap<_, Identity, KernelId, KernelInfo<T::AccountId, BalanceOf<T>>>;

    /// The WGSL source of each registered kernel.
    #[pallet::storage]
    pub type KernelCode<T: Config> = StorageMap<_, Identity, KernelId, BoundedVec<u8, T::MaxKernelLength>>;

    /// The id of the next job.
    #[pallet::storage]
    pub type NextJobId<T: Config> = StorageValue<_, JobId, ValueQuery>;

    /// Open jobs: queued, committing or revealing. Finished jobs are removed at once (see `Results`).
    #[pallet::storage]
    pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, Job<T>>;

    /// Index of the open jobs assigned to each provider, for the runtime API.
    #[pallet::storage]
    pub type Assignments<T: Config> =
        StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, JobId, ()>;

    /// Jobs waiting for providers, oldest first.
    #[pallet::storage]
    pub type Queue<T: Config> = StorageValue<_, BoundedVec<JobId, T::MaxQueuedJobs>, ValueQuery>;

    /// The open jobs to handle at the start of each block (their deadline), by block then job.
    #[pallet::storage]
    pub type Deadlines<T: Config> =
        StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, JobId, ()>;

    /// The oldest block whose deadlines may not all have been handled: the hook works from here.
    #[pallet::storage]
    pub type DeadlineCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

    /// Records of finished jobs, kept for `RetentionPeriod` blocks.
    #[pallet::storage]
    pub type Results<T: Config> = StorageMap<_, Twox64Concat, JobId, JobRecordOf<T>>;

    /// Position of the oldest entry of `PruneQueue`.
    #[pallet::storage]
    pub type PruneHead<T: Config> = StorageValue<_, u64, ValueQuery>;

    /// Position of the next entry of `PruneQueue`.
    #[pallet::storage]
    pub type PruneTail<T: Config> = StorageValue<_, u64, ValueQuery>;

    /// Finished jobs in the order they finished, with the block they finished in: the pruning FIFO of
    /// `Results`, positions `PruneHead .. PruneTail`.
    #[pallet::storage]
    pub type PruneQueue<T: Config> = StorageMap<_, Twox64Concat, u64, (JobId, BlockNumberFor<T>)>;

    /// A canary job is issued in every block whose number is a multiple of this (never when 0).
    #[pallet::storage]
    pub type CanaryInterval<T: Config> = StorageValue<_, u32, ValueQuery>;

    /// Kernels registered at genesis (the built-in kernel library), each with its owner, who pays the
    /// deposit, and the canary schedule.
    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// `(owner, WGSL source)` of each kernel.
        pub kernels: Vec<(T::AccountId, Vec<u8>)>,
        /// `CanaryInterval` (0: no canaries).
        pub canary_interval: u32,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            for (owner, code) in &self.kernels {
                let code =
                    BoundedVec::try_from(code.clone()).expect("genesis kernel longer than MaxKernelLength");
                Pallet::<T>::do_register_kernel(owner.clone(), code).expect("genesis kernel registers");
            }
            CanaryInterval::<T>::put(self.canary_interval);
        }
    }

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// A kernel was registered.
        KernelRegistered {
            /// Its id, `blake3(source)`.
            kernel: KernelId,
            /// Who registered it.
            owner: T::AccountId,
            /// The deposit held from the owner.
            deposit: BalanceOf<T>,
        },
        /// A kernel was removed and its deposit released.
        KernelRemoved {
            /// Its id.
            kernel: KernelId,
            /// Its owner.
            owner: T::AccountId,
            /// The deposit released.
            deposit: BalanceOf<T>,
        },
        /// A job was submitted; its escrow and fee are held.
        JobSubmitted {
            /// The job.
            job_id: JobId,
            /// Who submitted it.
            requester: T::AccountId,
            /// The kernel it runs.
            kernel: KernelId,
            /// Held for the providers: `(replicas + referees) × reward_per_replica`.
            escrow: BalanceOf<T>,
            /// Held for the fee.
            fee: BalanceOf<T>,
            /// Held as the storage deposit (reason `JobDeposit`), released when the job ends.
            deposit: BalanceOf<T>,
        },
        /// A job waits for providers.
        JobQueued {
            /// The job.
            job_id: JobId,
            /// It expires (refunded) at the start of this block unless assigned before.
            until: BlockNumberFor<T>,
        },
        /// Providers were assigned to a job.
        JobAssigned {
            /// The job.
            job_id: JobId,
            /// The providers, one per replica.
            providers: BoundedVec<T::AccountId, ParticipantsOf<T>>,
            /// The commit window closes at the start of this block.
            commit_deadline: BlockNumberFor<T>,
        },
        /// A provider committed to its result.
        ResultCommitted {
            /// The job.
            job_id: JobId,
            /// The provider.
            provider: T::AccountId,
        },
        /// The reveal phase of a job started.
        RevealPhaseStarted {
            /// The job.
            job_id: JobId,
            /// The reveal window closes at the start of this block.
            reveal_deadline: BlockNumberFor<T>,
        },
        /// A provider revealed its result root, and it matches its commitment.
        ResultRevealed {
            /// The job.
            job_id: JobId,
            /// The provider.
            provider: T::AccountId,
            /// The revealed root.
            result_root: ResultRoot,
        },
        /// Every committed provider revealed: the job is resolved at the start of `at`.
        ResolutionScheduled {
            /// The job.
            job_id: JobId,
            /// The block.
            at: BlockNumberFor<T>,
        },
        /// A quorum agreed on a result; its providers were paid.
        JobCompleted {
            /// The job.
            job_id: JobId,
            /// The winning root.
            result_root: ResultRoot,
            /// Providers that revealed it.
            winners: u32,
            /// Paid to them from the escrow (the rest went back to the requester).
            paid: BalanceOf<T>,
        },
        /// A provider was slashed.
        ProviderSlashed {
            /// The job.
            job_id: JobId,
            /// The provider.
            provider: T::AccountId,
            /// Taken from its stake (at most what was asked).
            amount: BalanceOf<T>,
            /// Why.
            reason: SlashReason,
        },
        /// The funds slashed in a job were settled: the requester got back what it paid the referees (at
        /// most), the rest went to `SlashDestination`.
        SlashedFundsSettled {
            /// The job.
            job_id: JobId,
            /// Slashed in the job, in total.
            slashed: BalanceOf<T>,
            /// Paid back to the requester for the referees (never more than it paid them).
            reimbursed: BalanceOf<T>,
            /// Sent to `SlashDestination` (burned by the runtime).
            burned: BalanceOf<T>,
        },
        /// The replicas of a job disagreed: referees were drawn, with randomness revealed after the reveals,
        /// to run it too.
        DisputeOpened {
            /// The job.
            job_id: JobId,
            /// The referees, each a new replica of the job.
            referees: BoundedVec<T::AccountId, ParticipantsOf<T>>,
            /// Their commit window closes at the start of this block.
            commit_deadline: BlockNumberFor<T>,
        },
        /// A disputed job found no clear verdict (a non-deterministic kernel, or no referee): nobody was
        /// slashed for its result and every replica that revealed was paid.
        JobInconclusive {
            /// The job.
            job_id: JobId,
            /// Paid to the replicas that revealed.
            paid: BalanceOf<T>,
        },
        /// A winner could not be paid (defensive): its reward stays with the requester.
        RewardFailed {
            /// The job.
            job_id: JobId,
            /// The provider.
            provider: T::AccountId,
            /// The reward.
            amount: BalanceOf<T>,
            /// Why.
            error: compute_primitives::ProviderError,
        },
        /// No result reached the quorum: the escrow was refunded, the fee taken.
        JobFailed {
            /// The job.
            job_id: JobId,
            /// Escrow returned to the requester.
            refunded: BalanceOf<T>,
        },
        /// The requester cancelled a job: the escrow was refunded, the fee taken.
        JobCancelled {
            /// The job.
            job_id: JobId,
            /// Escrow returned to the requester.
            refunded: BalanceOf<T>,
            /// Fee paid.
            fee: BalanceOf<T>,
        },
        /// No providers were found in time: the escrow was refunded, the fee taken.
        JobExpired {
            /// The job.
            job_id: JobId,
            /// Escrow returned to the requester.
            refunded: BalanceOf<T>,
        },
        /// The record of a finished job was pruned.
        JobPruned {
            /// The job.
            job_id: JobId,
        },
        /// The chain issued a canary job (assigned in the same block, `JobAssigned` follows): its winners
        /// are credited `work_units` of verified work in the emission.
        CanaryIssued {
            /// The job.
            job_id: JobId,
            /// The kernel it runs.
            kernel: KernelId,
            /// Credited to each winner.
            work_units: u64,
        },
        /// A canary was due and none was issued.
        CanarySkipped {
            /// Why.
            reason: CanarySkip,
        },
        /// `CanaryInterval` was changed.
        CanaryIntervalSet {
            /// The new interval, in blocks (0: no canaries).
            interval: u32,
        },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// No kernel with this id.
        KernelNotFound,
        /// A kernel with this source is already registered.
        KernelAlreadyRegistered,
        /// Open jobs use the kernel.
        KernelInUse,
        /// Only the kernel's owner may do this.
        NotKernelOwner,
        /// The kernel source is empty.
        EmptyKernel,
        /// The kernel source is not UTF-8.
        InvalidUtf8,
        /// The entry point is not an ASCII identifier.
        InvalidEntryPoint,
        /// `replicas` is zero or above `MaxReplicas`.
        InvalidReplicas,
        /// `quorum` is not more than half of `replicas`, or above it.
        InvalidQuorum,
        /// A commit, reveal or queue window is outside its bounds.
        WindowOutOfBounds,
        /// An inline input is larger than `MaxInlineInput`.
        InlineInputTooLarge,
        /// A generated input is larger than `MaxGeneratedInput`.
        GeneratedInputTooLarge,
        /// An input is empty.
        EmptyInput,
        /// `output_len` is zero, above `MaxOutputLength` or not a multiple of 4.
        InvalidOutputLength,
        /// A dispatch dimension is zero or above `MaxWorkgroupsPerDimension`.
        InvalidWorkgroups,
        /// `fuel` is above `MaxFuel`.
        InvalidFuel,
        /// The job's compute budget takes the slowest admitted provider longer than `MaxCommitWindow`.
        BudgetTooLarge,
        /// `commit_window` is shorter than the job's budget needs: see [`Pallet::min_commit_window`].
        CommitWindowTooShort,
        /// `reward_per_replica` is below `MinRewardPerReplica`.
        RewardTooLow,
        /// The account cannot put this amount on hold.
        InsufficientBalance,
        /// No provider could be assigned and the queue is full.
        QueueFull,
        /// No open job with this id.
        JobNotFound,
        /// The caller is not assigned to the job.
        NotAssigned,
        /// The caller already committed.
        AlreadyCommitted,
        /// The job is not in its commit phase.
        NotCommitPhase,
        /// The job is not in its reveal phase.
        NotRevealPhase,
        /// The caller did not commit, so it cannot reveal.
        NotCommitted,
        /// The caller already revealed.
        AlreadyRevealed,
        /// The root and salt do not match the caller's commitment.
        CommitmentMismatch,
        /// Only the job's requester may do this.
        NotRequester,
        /// A provider already committed: the job can no longer be cancelled.
        AlreadyStarted,
        /// Not enough eligible providers with free capacity (internal: the job is queued instead).
        NoProviders,
        /// Arithmetic overflow.
        Overflow,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn on_initialize(now: BlockNumberFor<T>) -> Weight {
            Self::on_initialize_jobs(now)
        }

        fn integrity_test() {
            Self::check_config();
        }

        #[cfg(feature = "try-runtime")]
        fn try_state(_now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    #[pallet::call(weight(<T as Config>::WeightInfo))]
    impl<T: Config> Pallet<T> {
        /// Registers a WGSL kernel under its id, `blake3(wgsl)`, and holds its storage deposit
        /// (`KernelDepositBase + KernelDepositPerByte × length`, reason `KernelDeposit`) from the caller.
        ///
        /// - origin: signed, the owner.
        /// - `wgsl`: the source, UTF-8, not empty, at most `MaxKernelLength` bytes.
        ///
        /// Errors: `EmptyKernel`, `InvalidUtf8`, `KernelAlreadyRegistered`, `InsufficientBalance`, `Overflow`.
        /// Event: `KernelRegistered`.
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::register_kernel(wgsl.len() as u32))]
        pub fn register_kernel(
            origin: OriginFor<T>,
            wgsl: BoundedVec<u8, T::MaxKernelLength>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_register_kernel(who, wgsl)
        }

        /// Removes a kernel and releases its deposit.
        ///
        /// - origin: signed, the kernel's owner.
        /// - `kernel`: a registered kernel that no open job uses.
        ///
        /// Errors: `KernelNotFound`, `NotKernelOwner`, `KernelInUse`. Event: `KernelRemoved`.
        #[pallet::call_index(1)]
        pub fn remove_kernel(origin: OriginFor<T>, kernel: KernelId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_remove_kernel(who, kernel)
        }

        /// Submits a job: holds its escrow (`(replicas + referees) × reward_per_replica`, the referees'
        /// part refunded unless a dispute needs them) and `JobFee` (reason `JobEscrow`), and its storage
        /// deposit (`JobDepositBase + JobDepositPerByte × encoded spec length`, reason `JobDeposit`,
        /// released however the job ends). The job is
        /// assigned in the next block, with randomness that did not exist when the transaction was signed:
        /// `replicas` providers sampled by stake, each with at least the stake that makes cheating on this
        /// reward cost `SlashRewardMultiple` times what it earns. When too few are eligible, the job waits
        /// in the queue (tried again in later blocks) until `queue_window` blocks have passed; then its
        /// escrow is refunded and the fee taken.
        ///
        /// - origin: signed, the requester.
        /// - `spec`: what to run (see [`compute_primitives::JobSpec`]); checked by [`Pallet::validate_spec`].
        ///
        /// Errors: those of `validate_spec`, `InsufficientBalance`, `QueueFull`, `Overflow`.
        /// Events: `JobSubmitted`; in the next block `JobAssigned` or `JobQueued`.
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::submit_job().max(T::WeightInfo::submit_job_queued()))]
        pub fn submit_job(origin: OriginFor<T>, spec: Box<JobSpecOf<T>>) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_submit_job(who, *spec).map(|_| ())
        }

        /// Commits to a result: `commitment(job_id, SCALE(caller), result_root, salt)`. When every replica has
        /// committed, the reveal phase starts at once (`reveal_window` blocks).
        ///
        /// - origin: signed, a provider assigned to the job.
        /// - `job_id`: a job in its commit phase.
        /// - `commitment`: the sealed result.
        ///
        /// Errors: `JobNotFound`, `NotCommitPhase`, `NotAssigned`, `AlreadyCommitted`. Events:
        /// `ResultCommitted`, and `RevealPhaseStarted` after the last commitment.
        ///
        /// A successful commitment pays no transaction fee: honest work must not cost the provider more than
        /// the job pays (only assigned providers succeed, once per job). A refused one pays as usual.
        #[pallet::call_index(3)]
        pub fn commit_result(
            origin: OriginFor<T>,
            job_id: JobId,
            commitment: Commitment,
        ) -> DispatchResultWithPostInfo {
            let who = ensure_signed(origin)?;
            Self::do_commit_result(who, job_id, commitment)?;
            Ok(Pays::No.into())
        }

        /// Reveals a committed result. When every provider that committed has revealed, the job is resolved
        /// at the start of the next block.
        ///
        /// - origin: signed, a provider that committed to the job.
        /// - `job_id`: a job in its reveal phase.
        /// - `result_root`, `salt`: must reproduce the caller's commitment. A mismatch changes nothing; the
        ///   provider may retry with the right values until the reveal window closes.
        ///
        /// Errors: `JobNotFound`, `NotRevealPhase`, `NotAssigned`, `NotCommitted`, `AlreadyRevealed`,
        /// `CommitmentMismatch`. Events: `ResultRevealed`, and `ResolutionScheduled` after the last reveal.
        ///
        /// The root of the `Timeout` failure ([`abstention_root`]) is an abstention: a provider
        /// that ran out of the job's window reveals it. How long a job takes depends on the machine, so it is
        /// never a result: it is neither paid nor slashed, and the verdict leaves it out.
        ///
        /// A successful reveal pays no transaction fee (see `commit_result`).
        #[pallet::call_index(4)]
        pub fn reveal_result(
            origin: OriginFor<T>,
            job_id: JobId,
            result_root: ResultRoot,
            salt: Salt,
        ) -> DispatchResultWithPostInfo {
            let who = ensure_signed(origin)?;
            Self::do_reveal_result(who, job_id, result_root, salt)?;
            Ok(Pays::No.into())
        }

        /// Cancels a job that no provider has committed to: frees its providers, pays each of them
        /// `CancelCompensation` of its reward, refunds the rest of the escrow and pays the fee.
        ///
        /// - origin: signed, the job's requester.
        /// - `job_id`: a queued job, or an assigned one without commitments.
        ///
        /// Errors: `JobNotFound`, `NotRequester`, `AlreadyStarted`. Event: `JobCancelled`.
        #[pallet::call_index(5)]
        #[pallet::weight(T::WeightInfo::cancel_job().max(T::WeightInfo::cancel_job_queued()))]
        pub fn cancel_job(origin: OriginFor<T>, job_id: JobId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_cancel_job(who, job_id)
        }

        /// Sets `CanaryInterval`: a canary job is issued in every block whose number is a multiple of it.
        /// Canaries are the only work the emission pays; 0 stops them (and so the emission's payouts).
        ///
        /// - origin: `AdminOrigin`.
        ///
        /// Event: `CanaryIntervalSet`.
        #[pallet::call_index(6)]
        pub fn set_canary_interval(origin: OriginFor<T>, interval: u32) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            CanaryInterval::<T>::put(interval);
            Self::deposit_event(Event::CanaryIntervalSet { interval });
            Ok(())
        }
    }
}
