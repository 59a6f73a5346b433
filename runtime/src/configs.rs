//! Configuration of every pallet in the runtime.

use frame_support::{
    derive_impl,
    dispatch::DispatchClass,
    parameter_types,
    traits::{ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
    weights::{
        constants::{RocksDbWeight, WEIGHT_REF_TIME_PER_SECOND},
        ConstantMultiplier, IdentityFee, Weight,
    },
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{FungibleAdapter, Multiplier, TargetedFeeAdjustment};
use sp_runtime::{
    traits::{Bounded, One},
    FixedPointNumber, Perbill, Perquintill,
};
use sp_version::RuntimeVersion;

use crate::{
    AccountId, Babe, Balance, Balances, Block, BlockNumber, Hash, Nonce, PalletInfo, Runtime, RuntimeCall,
    RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin, RuntimeTask, System, DAYS,
    EPOCH_DURATION_IN_SLOTS, EXISTENTIAL_DEPOSIT, HOURS, MICRO_UNIT, MILLI_SECS_PER_BLOCK, MILLI_UNIT,
    SLOT_DURATION, SS58_PREFIX, UNIT, VERSION,
};

/// Share of a block's weight that normal (non-operational) transactions may use.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
    pub const BlockHashCount: BlockNumber = 2400;
    pub const Version: RuntimeVersion = VERSION;

    /// Two seconds of compute per 3-second block, leaving time for import and networking.
    pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
        Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
        NORMAL_DISPATCH_RATIO,
    );
    /// Five MiB per block, of which `NORMAL_DISPATCH_RATIO` for normal transactions.
    pub RuntimeBlockLength: BlockLength = BlockLength::builder()
        .max_length(5 * 1024 * 1024)
        .modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
        .build();
    pub const SS58Prefix: u16 = SS58_PREFIX;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
    type Block = Block;
    type BlockWeights = RuntimeBlockWeights;
    type BlockLength = RuntimeBlockLength;
    type AccountId = AccountId;
    type Nonce = Nonce;
    type Hash = Hash;
    type BlockHashCount = BlockHashCount;
    type DbWeight = RocksDbWeight;
    type Version = Version;
    type AccountData = pallet_balances::AccountData<Balance>;
    type SS58Prefix = SS58Prefix;
    type MaxConsumers = ConstU32<16>;
}

parameter_types! {
    pub const EpochDuration: u64 = EPOCH_DURATION_IN_SLOTS;
    pub const ExpectedBlockTime: u64 = MILLI_SECS_PER_BLOCK;
}

/// Most validators the chain supports, in BABE and in GRANDPA.
pub const MAX_AUTHORITIES: u32 = 32;

impl pallet_babe::Config for Runtime {
    type EpochDuration = EpochDuration;
    type ExpectedBlockTime = ExpectedBlockTime;
    // The authority set is fixed at genesis; there is no session pallet to rotate it.
    type EpochChangeTrigger = pallet_babe::SameAuthoritiesForever;
    type DisabledValidators = ();
    type WeightInfo = ();
    type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
    type MaxNominators = ConstU32<0>;
    // Without sessions there is no key-ownership proof, hence no on-chain equivocation reports.
    type KeyOwnerProof = sp_core::Void;
    type EquivocationReportSystem = ();
}

impl pallet_grandpa::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type WeightInfo = ();
    type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
    type MaxNominators = ConstU32<0>;
    type MaxSetIdSessionEntries = ConstU64<0>;
    type KeyOwnerProof = sp_core::Void;
    type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
    type Moment = u64;
    type OnTimestampSet = Babe;
    type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
    type WeightInfo = ();
}

impl pallet_balances::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeHoldReason = RuntimeHoldReason;
    type RuntimeFreezeReason = RuntimeFreezeReason;
    type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
    type Balance = Balance;
    type DustRemoval = ();
    type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
    type AccountStore = System;
    type ReserveIdentifier = [u8; 8];
    type FreezeIdentifier = RuntimeFreezeReason;
    type MaxLocks = ConstU32<50>;
    type MaxReserves = ConstU32<50>;
    type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
    type DoneSlashHandler = ();
}

parameter_types! {
    /// Each byte of a transaction costs a micro-GPUC: filling a block's normal share (3.75 MiB) with
    /// bytes costs about 3.9 GPUC, about what filling its normal weight costs.
    pub const TransactionByteFee: Balance = MICRO_UNIT;
    /// The congestion multiplier aims at blocks a quarter full (of the normal class)...
    pub const TargetBlockFullness: Perquintill = Perquintill::from_percent(25);
    /// ...and moves by about `0.0003 × (fullness − target)` per block: a day (28 800 blocks) of full
    /// blocks multiplies fees by about e^(0.0003 × 0.75 × 28 800) ≈ 650, an hour by about 1.3.
    pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(3, 10_000);
    /// Fees never fall below the base rate...
    pub MinimumMultiplier: Multiplier = Multiplier::one();
    /// ...and rise without a cap while blocks stay fuller than the target.
    pub MaximumMultiplier: Multiplier = Bounded::max_value();
}

/// The fee multiplier of the next block, from the fullness of this one.
pub type SlowAdjustingFeeUpdate<R> =
    TargetedFeeAdjustment<R, TargetBlockFullness, AdjustmentVariable, MinimumMultiplier, MaximumMultiplier>;

impl pallet_transaction_payment::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    // Fees are burned: with a fixed validator set and no author rewards there is nobody to pay them to.
    type OnChargeTransaction = FungibleAdapter<Balances, ()>;
    type OperationalFeeMultiplier = ConstU8<5>;
    type WeightToFee = IdentityFee<Balance>;
    type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
    type FeeMultiplierUpdate = SlowAdjustingFeeUpdate<Runtime>;
    type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
    pub const ComputeStakingPalletId: frame_support::PalletId = frame_support::PalletId(*b"gpu/stak");
    pub const MaxProviderCommission: Perbill = Perbill::from_percent(50);
    pub const MaxCommissionStep: Perbill = Perbill::from_percent(1);
}

impl pallet_compute_staking::Config for Runtime {
    type Currency = Balances;
    type RuntimeHoldReason = RuntimeHoldReason;
    // Slashes forced by root are burned; slashes from jobs are shared out by the jobs pallet.
    type OnSlash = ();
    type ForceOrigin = frame_system::EnsureRoot<AccountId>;
    type PalletId = ComputeStakingPalletId;
    type MinProviderBond = ConstU128<{ 1_000 * UNIT }>;
    type MinDelegation = ConstU128<{ 10 * UNIT }>;
    type MaxCommission = MaxProviderCommission;
    type MaxCommissionIncrease = MaxCommissionStep;
    type CommissionChangeDelay = ConstU32<DAYS>;
    // Longer than any job's commit and reveal windows, so an offence cannot be escaped by leaving.
    type UnbondingPeriod = ConstU32<{ 7 * DAYS }>;
    type MaxUnbondingChunks = ConstU32<16>;
    type MaxUnbondingPools = ConstU32<8>;
    type MaxConcurrentJobs = ConstU32<64>;
    type MaxNameLength = ConstU32<64>;
    type MaxUrlLength = ConstU32<256>;
    type MaxFaults = ConstU32<3>;
    type FaultWindow = ConstU32<DAYS>;
    // A provider chilled for faults sits out a day after its last one; its record stays.
    type RejoinCooldown = ConstU32<DAYS>;
    // 0.1 GPUC per block, about 1.05 million a year, minted only for verified work.
    type EmissionPerBlock = ConstU128<{ 100 * MILLI_UNIT }>;
    type EraLength = ConstU32<HOURS>;
    type MaxPayoutsPerBlock = ConstU32<32>;
    // The lowest ask tier is the least reward a job may offer: asks from 0.001 GPUC up to about 55 GPUC, in
    // steps of under 19 %.
    type AskTierBase = ConstU128<MILLI_UNIT>;
    type MaxSampleAttempts = ConstU32<64>;
    type WeightInfo = pallet_compute_staking::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
    /// A wrong (or withheld) result costs a tenth of the stake the provider had at risk when it was assigned,
    /// the most one job may take (`MAX_SLASH_PER_JOB`); with `SlashRewardMultiple` = 10 a provider is
    /// given only jobs whose reward is at most 1% of its stake, so cheating costs ten times what it earns.
    pub const WrongResultSlashRate: Perbill = Perbill::from_percent(10);
    /// A missed commitment costs 1% of the stake at risk.
    pub const LivenessSlashRate: Perbill = Perbill::from_percent(1);
    pub const CancelCompensationRate: Perbill = Perbill::from_percent(10);
    pub const ComputeJobsPalletId: frame_support::PalletId = frame_support::PalletId(*b"gpu/jobs");
}

/// `ByteStepsPerBlock`: the slowest machine the network admits is lavapipe on two CPU cores. There, of five
/// dense loop bodies (arithmetic, division, storage reads and writes, barriers), storage writes run slowest,
/// about 3.0 × 10⁹ byte-steps a second (`scripts/measure-byte-steps.sh`, 2026-12-02); a quarter of that
/// over a 3 s block, rounded down, leaves room for a loaded machine and for bodies slower still.
pub const BYTE_STEPS_PER_BLOCK: u64 = 2_000_000_000;

impl pallet_compute_jobs::Config for Runtime {
    type RuntimeHoldReason = RuntimeHoldReason;
    type Currency = Balances;
    type Providers = crate::ComputeStaking;
    // The VRF output of the parent block: the author of the block that assigns a job cannot choose it.
    type Randomness = pallet_babe::ParentBlockRandomness<Runtime>;
    // Job fees are burned, like transaction fees.
    type FeeDestination = ();
    type KernelDepositBase = ConstU128<UNIT>;
    type KernelDepositPerByte = ConstU128<MILLI_UNIT>;
    // An open job holds 0.001 GPUC and 0.00001 GPUC per byte of its spec (about 0.004 GPUC for a small
    // job, 0.33 GPUC for one with 32 KiB of inline inputs), returned when it ends. A finished job's record
    // (about 120 bytes, pruned by the chain after `RetentionPeriod`) is paid for by the fee.
    type JobDepositBase = ConstU128<MILLI_UNIT>;
    type JobDepositPerByte = ConstU128<{ 10 * MICRO_UNIT }>;
    type MaxKernelLength = ConstU32<{ 64 * 1024 }>;
    type MaxReplicas = ConstU32<7>;
    type MaxInputs = ConstU32<4>;
    // Inline inputs live in the job's storage entry; larger data comes from generated inputs.
    type MaxInlineInput = ConstU32<{ 8 * 1024 }>;
    // WebGPU's default largest storage buffer binding (128 MiB), which every worker supports.
    type MaxGeneratedInput = ConstU32<{ 128 * 1024 * 1024 }>;
    type MaxOutputLength = ConstU32<{ 128 * 1024 * 1024 }>;
    type MaxWorkgroupsPerDimension = ConstU32<65_535>;
    // Inclusion time, and room to generate, upload and hash a job's data: the compute a job's budget
    // needs comes on top (`ByteStepsPerBlock`).
    type MinCommitWindow = ConstU32<10>;
    type MaxCommitWindow = ConstU32<DAYS>;
    type MaxFuel = ConstU32<{ compute_primitives::FUEL_CEILING }>;
    type ByteStepsPerBlock = ConstU64<BYTE_STEPS_PER_BLOCK>;
    type MinRevealWindow = ConstU32<5>;
    type MaxRevealWindow = ConstU32<HOURS>;
    type MaxQueueWindow = ConstU32<DAYS>;
    // Taken however a job ends, an unserved one included: queueing is not free.
    type JobFee = ConstU128<{ 10 * MILLI_UNIT }>;
    type MinRewardPerReplica = ConstU128<MILLI_UNIT>;
    type WrongResultSlash = WrongResultSlashRate;
    type SlashRewardMultiple = ConstU32<10>;
    type LivenessSlash = LivenessSlashRate;
    // Three referees settle a dispute; the requester's escrow holds their pay until it is known whether
    // one is needed.
    type DisputeReferees = ConstU32<3>;
    // A cancellation pays each assigned provider a tenth of its reward: re-drawing providers by cancelling
    // and submitting again is not free.
    type CancelCompensation = CancelCompensationRate;
    // Slashed funds are burned (but for what pays a requester back for its referees): nobody profits.
    type SlashDestination = ();
    type MaxQueuedJobs = ConstU32<256>;
    type MaxAssignmentsPerBlock = ConstU32<8>;
    // At most 32 jobs resolved per block: with 7 replicas each, about a sixth of the block's 2 s, which
    // leaves the full normal class (1.5 s) for transactions.
    type MaxDeadlinesPerBlock = ConstU32<32>;
    type RetentionPeriod = ConstU32<DAYS>;
    type MaxPrunedPerBlock = ConstU32<32>;
    // The requester of the canary jobs, which are the only work the emission pays.
    type PalletId = ComputeJobsPalletId;
    type Canaries = crate::canaries::Sha256Canaries;
    // 128 times the least reward, the price of ask tier 28: stake that asks more serves almost nobody and
    // earns no emission.
    type MaxCanaryAsk = ConstU128<{ 128 * MILLI_UNIT }>;
    type AdminOrigin = frame_system::EnsureRoot<AccountId>;
    type WeightInfo = pallet_compute_jobs::weights::SubstrateWeight<Runtime>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = crate::benchmark_helpers::ComputeJobsBenchmarkHelper;
}
