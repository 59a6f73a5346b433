//! A test runtime: System, Balances and the staking pallet, with small constants.

use crate as pallet_compute_staking;
use crate::CreditOf;
use frame_support::{
    derive_impl, parameter_types,
    traits::{ConstU128, ConstU32, ConstU64, Hooks, Imbalance, OnUnbalanced},
    PalletId,
};
use sp_runtime::{AccountId32, BuildStorage, Perbill};

/// Account ids are 32 bytes, as in the runtime, so that pool accounts are distinct.
pub type AccountId = AccountId32;
/// Balances are `u128`, as in the runtime.
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

/// The existential deposit.
pub const ED: Balance = 5;
/// `MinProviderBond`.
pub const MIN_BOND: Balance = 1_000;
/// `RejoinCooldown`.
pub const COOLDOWN: u64 = 30;
/// `MinDelegation`.
pub const MIN_DELEGATION: Balance = 10;
/// `AskTierBase`: asks 25, 30, 36, 43, 50, ... (four tiers per doubling).
pub const ASK_TIER_BASE: Balance = 25;
/// `UnbondingPeriod`.
pub const UNBONDING: u64 = 10;
/// `EraLength`.
pub const ERA: u64 = 10;
/// What every genesis account owns.
pub const INITIAL: Balance = 1_000_000_000;

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
    pub type Staking = pallet_compute_staking;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
    type AccountId = AccountId;
    type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
    type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
    type Balance = Balance;
    type ExistentialDeposit = ConstU128<ED>;
    type AccountStore = System;
}

parameter_types! {
    pub const StakingPalletId: PalletId = PalletId(*b"gpu/stak");
    pub const MaxCommission: Perbill = Perbill::from_percent(50);
    pub const MaxCommissionIncrease: Perbill = Perbill::from_percent(5);
    /// Tests switch emission on.
    pub static EmissionPerBlock: Balance = 0;
    /// Total handed to `OnSlash` (then burned).
    pub static SlashedToSink: Balance = 0;
}

/// Records and burns what `force_slash` takes.
pub struct SlashSink;
impl OnUnbalanced<CreditOf<Test>> for SlashSink {
    fn on_nonzero_unbalanced(amount: CreditOf<Test>) {
        SlashedToSink::mutate(|total| *total += amount.peek());
    }
}

impl pallet_compute_staking::Config for Test {
    type Currency = Balances;
    type RuntimeHoldReason = RuntimeHoldReason;
    type OnSlash = SlashSink;
    type ForceOrigin = frame_system::EnsureRoot<AccountId>;
    type PalletId = StakingPalletId;
    type MinProviderBond = ConstU128<MIN_BOND>;
    type MinDelegation = ConstU128<MIN_DELEGATION>;
    type MaxCommission = MaxCommission;
    type MaxCommissionIncrease = MaxCommissionIncrease;
    type CommissionChangeDelay = ConstU64<10>;
    type UnbondingPeriod = ConstU64<UNBONDING>;
    type MaxUnbondingChunks = ConstU32<4>;
    type MaxUnbondingPools = ConstU32<4>;
    type MaxConcurrentJobs = ConstU32<8>;
    type MaxNameLength = ConstU32<32>;
    type MaxUrlLength = ConstU32<64>;
    type MaxFaults = ConstU32<3>;
    type FaultWindow = ConstU64<20>;
    type RejoinCooldown = ConstU64<COOLDOWN>;
    type EmissionPerBlock = EmissionPerBlock;
    type EraLength = ConstU64<ERA>;
    type MaxPayoutsPerBlock = ConstU32<2>;
    type AskTierBase = ConstU128<ASK_TIER_BASE>;
    type MaxSampleAttempts = ConstU32<64>;
    type WeightInfo = ();
}

/// A test account: 32 copies of `n`.
pub fn account(n: u8) -> AccountId {
    AccountId32::new([n; 32])
}

/// Builds test externalities.
pub struct ExtBuilder {
    balances: Vec<(AccountId, Balance)>,
}

impl Default for ExtBuilder {
    fn default() -> Self {
        Self { balances: (1..=40).map(|n| (account(n), INITIAL)).collect() }
    }
}

impl ExtBuilder {
    /// Adds (or overrides) a genesis balance.
    pub fn balance(mut self, who: AccountId, amount: Balance) -> Self {
        self.balances.retain(|(a, _)| *a != who);
        self.balances.push((who, amount));
        self
    }

    /// The externalities at block 1, emission off.
    pub fn build(self) -> sp_io::TestExternalities {
        let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
        pallet_balances::GenesisConfig::<Test> { balances: self.balances, ..Default::default() }
            .assimilate_storage(&mut storage)
            .unwrap();
        let mut ext = sp_io::TestExternalities::new(storage);
        ext.execute_with(|| {
            System::set_block_number(1);
            EmissionPerBlock::set(0);
            SlashedToSink::set(0);
        });
        ext
    }

    /// Runs `test`, then checks every invariant of the pallet.
    pub fn build_and_execute(self, test: impl FnOnce()) {
        self.build().execute_with(|| {
            test();
            Staking::do_try_state().expect("the pallet's invariants hold after the test");
        })
    }
}

/// Runs `on_initialize` of every block up to `n`.
pub fn run_to_block(n: u64) {
    while System::block_number() < n {
        let next = System::block_number() + 1;
        System::set_block_number(next);
        Staking::on_initialize(next);
    }
}

/// Shorthand for the default externalities (the benchmarks' test suite).
#[cfg(feature = "runtime-benchmarks")]
pub fn new_test_ext() -> sp_io::TestExternalities {
    ExtBuilder::default().build()
}
