//! A test runtime: System, Balances and the jobs pallet, with small constants, a storage-backed mock of
//! the staking side (`ComputeProviders`), a mock randomness, and fee and slash sinks that record what they burn.
//!
//! The mock providers live in storage (not in thread-locals) so that the pallet's storage layers roll their
//! slots back together with everything else.

use crate as pallet_compute_jobs;
use crate::CreditOf;
use codec::{Decode, Encode};
use compute_primitives::{ComputeProviders, DeterminismClass, JobOutcome, ProviderError, Requirements};
use frame_support::{
    derive_impl, parameter_types,
    traits::{
        fungible::{Balanced, Mutate},
        tokens::{Fortitude, Precision, Preservation},
        ConstU128, ConstU32, ConstU64, Hooks, Imbalance, OnUnbalanced, Randomness,
    },
    Twox64Concat,
};
use sp_runtime::{testing::H256, BuildStorage, Perbill};

/// Account ids are plain numbers.
pub type AccountId = u64;
/// Balances are `u128`, as in the runtime.
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

/// The existential deposit.
pub const ED: Balance = 1;
/// What every genesis account owns.
pub const INITIAL: Balance = 1_000_000;
/// `KernelDepositBase`.
pub const KERNEL_BASE: Balance = 100;
/// `KernelDepositPerByte`.
pub const KERNEL_PER_BYTE: Balance = 2;
/// `JobFee`.
pub const FEE: Balance = 10;
/// `JobDepositBase`.
pub const JOB_DEPOSIT_BASE: Balance = 5;
/// `JobDepositPerByte`.
pub const JOB_DEPOSIT_PER_BYTE: Balance = 1;
/// `MinRewardPerReplica`.
pub const MIN_REWARD: Balance = 10;
/// `MaxReplicas`.
pub const MAX_REPLICAS: u32 = 5;
/// `MaxInlineInput`.
pub const MAX_INLINE: u32 = 64;
/// `MaxGeneratedInput`.
pub const MAX_GENERATED: u32 = 4096;
/// `MaxOutputLength`.
pub const MAX_OUTPUT: u32 = 4096;
/// `MaxWorkgroupsPerDimension`.
pub const MAX_WORKGROUPS: u32 = 1024;
/// `MinCommitWindow`, `MaxCommitWindow`, `MinRevealWindow`, `MaxRevealWindow`, `MaxQueueWindow`.
pub const MIN_WINDOW: u32 = 2;
pub const MAX_WINDOW: u32 = 20;
pub const MAX_QUEUE_WINDOW: u32 = 30;
/// `MaxCanaryAsk`.
pub const MAX_CANARY_ASK: Balance = 100 * MIN_REWARD;
/// `MaxFuel`.
pub const MAX_FUEL: u32 = 1000;
/// `ByteStepsPerBlock`: the tests' default spec (8 workgroups of a 228-byte kernel, no loops) takes one
/// block.
pub const BYTE_STEPS_PER_BLOCK: u64 = 1 << 24;
/// `SlashRewardMultiple`.
pub const SLASH_MULTIPLE: u32 = 3;
/// `DisputeReferees`.
pub const REFEREES: u32 = 3;
/// `MaxQueuedJobs`.
pub const MAX_QUEUED: u32 = 4;
/// `MaxAssignmentsPerBlock`.
pub const MAX_ASSIGNMENTS: u32 = 2;
/// `MaxDeadlinesPerBlock`.
pub const MAX_DEADLINES: u32 = 3;
/// `RetentionPeriod`.
pub const RETENTION: u64 = 10;
/// `MaxPrunedPerBlock`.
pub const MAX_PRUNED: u32 = 2;

#[frame_support::runtime]
mod runtime {
    #[runtime::runtime]
    #[runtime::derive(
        RuntimeCall,
        RuntimeEvent,
        RuntimeError,
        RuntimeOrigin,
        RuntimeFreezeReason,
        RuntimeHoldReason,
        RuntimeSlashReason,
        RuntimeLockId,
        RuntimeTask,
        RuntimeViewFunction
    )]
    pub struct Test;

    #[runtime::pallet_index(0)]
    pub type System = frame_system;

    #[runtime::pallet_index(1)]
    pub type Balances = pallet_balances;

    #[runtime::pallet_index(2)]
    pub type Jobs = pallet_compute_jobs;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
    type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
    type Balance = Balance;
    type ExistentialDeposit = ConstU128<ED>;
    type AccountStore = System;
}

parameter_types! {
    pub const WrongResultSlash: Perbill = Perbill::from_percent(10);
    pub const LivenessSlash: Perbill = Perbill::from_percent(2);
    pub const CancelCompensation: Perbill = Perbill::from_percent(10);
    /// Tests switch the randomness off to check the parent-hash fallback.
    pub static RandomnessAvailable: bool = true;
    pub const JobsPalletId: frame_support::PalletId = frame_support::PalletId(*b"gpu/jobs");
    /// How many providers the mock canary asks for.
    pub static CanaryReplicas: u8 = 3;
}

/// The kernel the mock canaries run (tests register it).
pub const CANARY_KERNEL: &[u8] = b"@compute @workgroup_size(1) fn canary() {}";
/// Work units of a mock canary.
pub const CANARY_WORK: u64 = 100;

/// Canaries of `CanaryReplicas` replicas running `CANARY_KERNEL` on one generated input seeded by the
/// chain.
pub struct MockCanaries;
impl pallet_compute_jobs::CanaryJobs<Test> for MockCanaries {
    fn canary(seed: &[u8; 32]) -> Option<pallet_compute_jobs::Canary<Test>> {
        let spec = crate::JobSpecOf::<Test> {
            kernel: compute_primitives::kernel_id(CANARY_KERNEL),
            entry_point: frame_support::BoundedVec::truncate_from(b"canary".to_vec()),
            inputs: frame_support::BoundedVec::truncate_from(vec![compute_primitives::JobInput::Generated {
                seed: *seed,
                len: 64,
            }]),
            params: Default::default(),
            output_len: 32,
            workgroups: [1, 1, 1],
            fuel: 0,
            replicas: CanaryReplicas::get(),
            quorum: 0,
            reward_per_replica: 0,
            commit_window: MIN_WINDOW + 2,
            reveal_window: MIN_WINDOW,
            queue_window: 1,
            needs: Default::default(),
        };
        Some(pallet_compute_jobs::Canary { spec, work_units: CANARY_WORK })
    }

    fn uses_kernel(kernel: &compute_primitives::KernelId) -> bool {
        *kernel == compute_primitives::kernel_id(CANARY_KERNEL)
    }
}

impl pallet_compute_jobs::Config for Test {
    type RuntimeHoldReason = RuntimeHoldReason;
    type Currency = Balances;
    type Providers = MockProviders;
    type Randomness = TestRandomness;
    type FeeDestination = FeeSink;
    type KernelDepositBase = ConstU128<KERNEL_BASE>;
    type KernelDepositPerByte = ConstU128<KERNEL_PER_BYTE>;
    type JobDepositBase = ConstU128<JOB_DEPOSIT_BASE>;
    type JobDepositPerByte = ConstU128<JOB_DEPOSIT_PER_BYTE>;
    type MaxKernelLength = ConstU32<1024>;
    type MaxReplicas = ConstU32<MAX_REPLICAS>;
    type MaxInputs = ConstU32<4>;
    type MaxInlineInput = ConstU32<MAX_INLINE>;
    type MaxGeneratedInput = ConstU32<MAX_GENERATED>;
    type MaxOutputLength = ConstU32<MAX_OUTPUT>;
    type MaxWorkgroupsPerDimension = ConstU32<MAX_WORKGROUPS>;
    type MinCommitWindow = ConstU32<MIN_WINDOW>;
    type MaxCommitWindow = ConstU32<MAX_WINDOW>;
    type MaxFuel = ConstU32<MAX_FUEL>;
    type ByteStepsPerBlock = ConstU64<BYTE_STEPS_PER_BLOCK>;
    type MinRevealWindow = ConstU32<MIN_WINDOW>;
    type MaxRevealWindow = ConstU32<MAX_WINDOW>;
    type MaxQueueWindow = ConstU32<MAX_QUEUE_WINDOW>;
    type JobFee = ConstU128<FEE>;
    type MinRewardPerReplica = ConstU128<MIN_REWARD>;
    type WrongResultSlash = WrongResultSlash;
    type SlashRewardMultiple = ConstU32<SLASH_MULTIPLE>;
    type LivenessSlash = LivenessSlash;
    type DisputeReferees = ConstU32<REFEREES>;
    type CancelCompensation = CancelCompensation;
    type SlashDestination = SlashSink;
    type MaxQueuedJobs = ConstU32<MAX_QUEUED>;
    type MaxAssignmentsPerBlock = ConstU32<MAX_ASSIGNMENTS>;
    type MaxDeadlinesPerBlock = ConstU32<MAX_DEADLINES>;
    type RetentionPeriod = ConstU64<RETENTION>;
    type MaxPrunedPerBlock = ConstU32<MAX_PRUNED>;
    type PalletId = JobsPalletId;
    type Canaries = MockCanaries;
    type MaxCanaryAsk = ConstU128<MAX_CANARY_ASK>;
    type AdminOrigin = frame_system::EnsureRoot<AccountId>;
    type WeightInfo = ();
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = MockBenchmarkHelper;
}

/// A provider of the mock staking side.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct MockProvider {
    /// Stake at risk (`stake_of`); slashes lower it.
    pub stake: Balance,
    /// Least reward accepted.
    pub ask: Balance,
    /// GPU memory.
    pub vram_mib: u32,
    /// Determinism class.
    pub class: DeterminismClass,
    /// Capacity slots.
    pub capacity: u32,
    /// Slots taken.
    pub slots: u32,
    /// Whether it may be sampled.
    pub active: bool,
}

impl MockProvider {
    fn eligible(&self, requirements: &Requirements<Balance>) -> bool {
        self.active
            && self.vram_mib >= requirements.min_vram_mib
            && requirements.determinism_class.is_none_or(|class| class == self.class)
            && self.ask <= requirements.offer
            && self.stake >= requirements.min_stake
            && (self.slots < self.capacity || requirements.beyond_capacity)
    }
}

/// The default determinism class of mock providers.
pub const CLASS: DeterminismClass = DeterminismClass([1; 16]);

/// A provider with `stake`, asking `MIN_REWARD`, 8 GiB, class `CLASS`, four slots.
pub fn provider(stake: Balance) -> MockProvider {
    MockProvider { stake, ask: MIN_REWARD, vram_mib: 8192, class: CLASS, capacity: 4, slots: 0, active: true }
}

#[frame_support::storage_alias]
pub type Registry = StorageMap<MockStaking, Twox64Concat, AccountId, MockProvider>;

/// Every outcome recorded, in order.
#[frame_support::storage_alias]
pub type Outcomes =
    StorageValue<MockStaking, Vec<(AccountId, JobOutcome)>, frame_support::pallet_prelude::ValueQuery>;

/// Total received by the fee sink (then burned).
#[frame_support::storage_alias]
pub type FeesCollected = StorageValue<MockStaking, Balance, frame_support::pallet_prelude::ValueQuery>;

/// Total received by the slash sink (then burned).
#[frame_support::storage_alias]
pub type SlashesBurned = StorageValue<MockStaking, Balance, frame_support::pallet_prelude::ValueQuery>;

/// Total slashed from providers.
#[frame_support::storage_alias]
pub type TotalSlashed = StorageValue<MockStaking, Balance, frame_support::pallet_prelude::ValueQuery>;

/// When set, every `reward` fails.
#[frame_support::storage_alias]
pub type RewardsFail = StorageValue<MockStaking, bool, frame_support::pallet_prelude::ValueQuery>;

/// The mock staking side: a registry in storage, a deterministic sampler, rewards as plain transfers and
/// slashes withdrawn from the provider's free balance.
pub struct MockProviders;

impl ComputeProviders<AccountId> for MockProviders {
    type Balance = Balance;
    type SlashedFunds = CreditOf<Test>;
    type BlockNumber = u64;

    /// The eligible providers in id order, rotated by the seed's first eight bytes; the first `count`.
    fn sample(
        seed: &[u8; 32],
        count: u32,
        requirements: &Requirements<Balance>,
    ) -> Result<Vec<AccountId>, ProviderError> {
        let mut eligible: Vec<AccountId> =
            Registry::iter().filter(|(_, p)| p.eligible(requirements)).map(|(who, _)| who).collect();
        eligible.sort_unstable();
        let found = eligible.len() as u32;
        if found < count || found == 0 {
            return Err(ProviderError::NotEnoughEligible { eligible: found });
        }
        let start = u64::from_le_bytes(seed[..8].try_into().unwrap()) % u64::from(found);
        eligible.rotate_left(start as usize);
        eligible.truncate(count as usize);
        Ok(eligible)
    }

    fn take_slot(provider: &AccountId, beyond_capacity: bool) -> Result<(), ProviderError> {
        Registry::try_mutate(provider, |maybe| {
            let p = maybe.as_mut().ok_or(ProviderError::NotAProvider)?;
            if p.slots >= p.capacity && !beyond_capacity {
                return Err(ProviderError::NoFreeSlot);
            }
            p.slots += 1;
            Ok(())
        })
    }

    fn free_slot(provider: &AccountId) {
        Registry::mutate(provider, |maybe| {
            let p = maybe.as_mut().expect("free_slot of an unknown provider");
            assert!(p.slots > 0, "free_slot without a slot taken");
            p.slots -= 1;
        })
    }

    fn reward(
        provider: &AccountId,
        payer: &AccountId,
        amount: Balance,
        _job: compute_primitives::JobId,
    ) -> Result<(), ProviderError> {
        if !Registry::contains_key(provider) {
            return Err(ProviderError::NotAProvider);
        }
        if RewardsFail::get() {
            return Err(ProviderError::InsufficientFunds);
        }
        <Balances as Mutate<AccountId>>::transfer(payer, provider, amount, Preservation::Preserve)
            .map(|_| ())
            .map_err(|_| ProviderError::InsufficientFunds)
    }

    fn slash(
        provider: &AccountId,
        amount: Balance,
        _job: compute_primitives::JobId,
        _since: u64,
    ) -> (CreditOf<Test>, Balance) {
        let Some(mut p) = Registry::get(provider) else { return (CreditOf::<Test>::zero(), 0) };
        let target = amount.min(p.stake);
        let credit = <Balances as Balanced<AccountId>>::withdraw(
            provider,
            target,
            Precision::BestEffort,
            Preservation::Preserve,
            Fortitude::Polite,
        )
        .unwrap_or_else(|_| CreditOf::<Test>::zero());
        let slashed = credit.peek();
        p.stake -= slashed;
        Registry::insert(provider, p);
        TotalSlashed::mutate(|t| *t += slashed);
        (credit, slashed)
    }

    fn record_outcome(provider: &AccountId, outcome: JobOutcome, _job: compute_primitives::JobId) {
        Outcomes::append((*provider, outcome));
    }

    fn stake_of(provider: &AccountId) -> Balance {
        Registry::get(provider).map(|p| p.stake).unwrap_or_default()
    }
}

/// `Some(blake2(subject, block))`, or `None` when switched off.
pub struct TestRandomness;
impl Randomness<Option<H256>, u64> for TestRandomness {
    fn random(subject: &[u8]) -> (Option<H256>, u64) {
        let now = System::block_number();
        if !RandomnessAvailable::get() {
            return (None, now);
        }
        (Some(H256(sp_io::hashing::blake2_256(&(subject, now).encode()))), now)
    }
}

/// Records and burns the fees.
pub struct FeeSink;
impl OnUnbalanced<CreditOf<Test>> for FeeSink {
    fn on_nonzero_unbalanced(amount: CreditOf<Test>) {
        FeesCollected::mutate(|total| *total += amount.peek());
    }
}

/// Records and burns slashed funds.
pub struct SlashSink;
impl OnUnbalanced<CreditOf<Test>> for SlashSink {
    fn on_nonzero_unbalanced(amount: CreditOf<Test>) {
        SlashesBurned::mutate(|total| *total += amount.peek());
    }
}

/// Registers (or replaces) a mock provider; it must already have funds.
pub fn register_provider(who: AccountId, p: MockProvider) {
    Registry::insert(who, p);
}

/// Sets up mock providers for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<Test> for MockBenchmarkHelper {
    fn provider_population() -> u32 {
        MAX_REPLICAS + 3
    }

    fn register_providers(
        count: u32,
        needs: &compute_primitives::HardwareNeeds,
        ask: Balance,
    ) -> Vec<AccountId> {
        let first = 1_000_000 + Registry::iter_keys().count() as u64;
        (first..first + u64::from(count))
            .inspect(|&who| {
                Balances::set_balance(&who, INITIAL);
                register_provider(
                    who,
                    MockProvider {
                        stake: INITIAL / 2,
                        ask,
                        vram_mib: needs.min_vram_mib,
                        class: needs.determinism_class.unwrap_or(CLASS),
                        capacity: 4,
                        slots: 0,
                        active: true,
                    },
                );
            })
            .collect()
    }

    fn canary_kernel() -> Vec<u8> {
        CANARY_KERNEL.to_vec()
    }
}

/// Builds test externalities.
pub struct ExtBuilder {
    balances: Vec<(AccountId, Balance)>,
}

impl Default for ExtBuilder {
    fn default() -> Self {
        Self { balances: (1..=60).map(|n| (n, INITIAL)).collect() }
    }
}

impl ExtBuilder {
    /// Adds (or overrides) a genesis balance.
    pub fn balance(mut self, who: AccountId, amount: Balance) -> Self {
        self.balances.retain(|(a, _)| *a != who);
        self.balances.push((who, amount));
        self
    }

    /// The externalities at block 1.
    pub fn build(self) -> sp_io::TestExternalities {
        let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
        pallet_balances::GenesisConfig::<Test> { balances: self.balances, ..Default::default() }
            .assimilate_storage(&mut storage)
            .unwrap();
        let mut ext = sp_io::TestExternalities::new(storage);
        ext.execute_with(|| {
            System::set_block_number(1);
            RandomnessAvailable::set(true);
            CanaryReplicas::set(3);
        });
        ext
    }

    /// Runs `test`, then checks every invariant of the pallet and that every slot is accounted for.
    pub fn build_and_execute(self, test: impl FnOnce()) {
        self.build().execute_with(|| {
            test();
            check_invariants();
        })
    }
}

/// `do_try_state`, plus: every mock provider's slots equal its open assignments.
pub fn check_invariants() {
    Jobs::do_try_state().expect("the pallet's invariants hold");
    for (who, p) in Registry::iter() {
        let assigned = crate::Assignments::<Test>::iter_prefix(who).count() as u32;
        assert_eq!(p.slots, assigned, "slots of provider {who} differ from its assignments");
    }
}

/// Runs `on_initialize` of every block up to `n`.
pub fn run_to_block(n: u64) {
    while System::block_number() < n {
        let next = System::block_number() + 1;
        System::set_block_number(next);
        Jobs::on_initialize(next);
    }
}

/// Shorthand for the default externalities (the benchmarks' test suite).
#[cfg(feature = "runtime-benchmarks")]
pub fn new_test_ext() -> sp_io::TestExternalities {
    ExtBuilder::default().build()
}
