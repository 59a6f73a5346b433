#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod bench_state;
mod benchmarking;
mod emission;
mod impls;
mod invariants;
mod pool;
mod providers;
mod sampling;
pub mod types;
mod views;
mod warmup;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pool::{INITIAL_SHARES_PER_PLANCK, MAX_SHARE_DILUTION};
pub use sampling::{ask_tier_price, ASK_TIERS, MAX_LEVEL, SAMPLE_DOMAIN};
pub use types::*;
pub use views::{DelegationStats, ProviderStats, UnbondingValue};
pub use weights::WeightInfo;

/// Log target of the pallet.
pub(crate) const LOG_TARGET: &str = "runtime::compute-staking";

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use frame_support::{
        pallet_prelude::*,
        traits::{
            fungible::{Inspect, InspectHold, Mutate, MutateHold},
            tokens::fungible::BalancedHold,
            OnUnbalanced,
        },
        PalletId,
    };
    use frame_system::pallet_prelude::*;
    use sp_runtime::Perbill;

    /// The in-code storage version.
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    /// Why the pallet holds tokens. Both holds sit on a provider's pool account.
    #[pallet::composite_enum]
    pub enum HoldReason {
        /// The provider's self-bond and its unbonding chunks.
        #[codec(index = 0)]
        ProviderBond,
        /// Delegated tokens, active or unbonding.
        #[codec(index = 1)]
        Delegation,
    }

    #[pallet::config]
    pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
        /// The staked currency: holds for bonds and delegations, `BalancedHold::slash` for slashing, `Mutate`
        /// for transfers and emission.
        type Currency: Inspect<Self::AccountId>
            + Mutate<Self::AccountId>
            + InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
            + MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
            + BalancedHold<Self::AccountId>;

        /// The overarching hold reason.
        type RuntimeHoldReason: From<HoldReason>;

        /// Receives the funds slashed by `force_slash` (the runtime decides: burn, treasury...). Slashes
        /// through [`compute_primitives::ComputeProviders::slash`] return the funds to the caller instead.
        type OnSlash: OnUnbalanced<CreditOf<Self>>;

        /// Origin of `force_slash`.
        type ForceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

        /// Derives the pool accounts.
        #[pallet::constant]
        type PalletId: Get<PalletId>;

        /// Least self-bond of an active provider (> 0).
        #[pallet::constant]
        type MinProviderBond: Get<BalanceOf<Self>>;

        /// Least amount of one `delegate` call, and least delegation left by a partial `undelegate` (> 0).
        #[pallet::constant]
        type MinDelegation: Get<BalanceOf<Self>>;

        /// Highest commission.
        #[pallet::constant]
        type MaxCommission: Get<Perbill>;

        /// Largest commission increase at once.
        #[pallet::constant]
        type MaxCommissionIncrease: Get<Perbill>;

        /// Blocks between two commission increases (and between registration and the first).
        #[pallet::constant]
        type CommissionChangeDelay: Get<BlockNumberFor<Self>>;

        /// Blocks during which unbonding tokens stay slashable before they can be withdrawn. Must exceed
        /// any job's verification window. Delegators' unbonding is batched: they wait at most
        /// `UnbondingPeriod / (MaxUnbondingPools - 2)` blocks longer.
        #[pallet::constant]
        type UnbondingPeriod: Get<BlockNumberFor<Self>>;

        /// Most unbonding chunks of a provider, and unbonding claims of one delegation.
        #[pallet::constant]
        type MaxUnbondingChunks: Get<u32>;

        /// Most slashable unbonding pools of one provider's delegators (>= 3); sets their batching.
        #[pallet::constant]
        type MaxUnbondingPools: Get<u32>;

        /// Highest `max_concurrent_jobs` of a profile.
        #[pallet::constant]
        type MaxConcurrentJobs: Get<u32>;

        /// Longest GPU name and vendor, in bytes.
        #[pallet::constant]
        type MaxNameLength: Get<u32>;

        /// Longest output endpoint URL, in bytes.
        #[pallet::constant]
        type MaxUrlLength: Get<u32>;

        /// Faults (wrong results, missed deadlines) within `FaultWindow` that chill a provider (> 0).
        #[pallet::constant]
        type MaxFaults: Get<u32>;

        /// Blocks over which faults are counted.
        #[pallet::constant]
        type FaultWindow: Get<BlockNumberFor<Self>>;

        /// Blocks after its last fault before a provider chilled for `TooManyFaults` may `rejoin`.
        #[pallet::constant]
        type RejoinCooldown: Get<BlockNumberFor<Self>>;

        /// Tokens minted per block for providers, shared per era in proportion to verified work. May be
        /// zero. Only what is paid out is minted: an era without work mints nothing.
        #[pallet::constant]
        type EmissionPerBlock: Get<BalanceOf<Self>>;

        /// Blocks per emission era (> 0).
        #[pallet::constant]
        type EraLength: Get<BlockNumberFor<Self>>;

        /// Most emission payouts (one per provider with work) per block.
        #[pallet::constant]
        type MaxPayoutsPerBlock: Get<u32>;

        /// The price of the lowest ask tier (> 0). Asks are rounded up to a tier price,
        /// `AskTierBase × 2^(t/4)` for `t < ASK_TIERS` (higher asks are refused), and the sampler keeps
        /// tiers apart: a draw for an offer covers only the tiers it pays, so stake that asks more cannot
        /// use up its attempts.
        #[pallet::constant]
        type AskTierBase: Get<BalanceOf<Self>>;

        /// Most draws of the sampler for one call, whatever the number of providers asked for (> 0).
        #[pallet::constant]
        type MaxSampleAttempts: Get<u32>;

        /// Weights of calls and hooks.
        type WeightInfo: WeightInfo;
    }

    /// Registered providers.
    #[pallet::storage]
    pub type Providers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ProviderInfo<T>>;

    /// Stake behind each provider (self-bond, delegation pool, unbonding). Outlives the registration while
    /// delegators' unbonding pools hold tokens.
    #[pallet::storage]
    pub type Pools<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Pool<T>>;

    /// Delegations, by provider then delegator.
    #[pallet::storage]
    pub type Delegations<T: Config> =
        StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Blake2_128Concat, T::AccountId, Delegation<T>>;

    /// Delegators' unbonding pools, by provider then unlock block.
    #[pallet::storage]
    pub type UnbondingPools<T: Config> = StorageDoubleMap<
        _,
        Blake2_128Concat,
        T::AccountId,
        Twox64Concat,
        BlockNumberFor<T>,
        UnbondingPool<BalanceOf<T>>,
    >;

    /// Delegations warming up, by provider then activation block (see `DelegationWarmup`).
    #[pallet::storage]
    pub type PendingDelegations<T: Config> = StorageDoubleMap<
        _,
        Blake2_128Concat,
        T::AccountId,
        Twox64Concat,
        BlockNumberFor<T>,
        PendingBatch<BalanceOf<T>>,
    >;

    /// Blocks a delegation waits before it is active: before that it is not at risk, earns nothing and
    /// does not weigh in the sampler, and `cancel_pending_delegation` returns it. Warm-ups are batched
    /// like unbonding: one waits at most `DelegationWarmup / (MaxUnbondingPools - 2)` blocks longer.
    ///
    /// Longer than the time from a job's assignment to its payout plus an emission era, no delegation
    /// shares in the payment of a job, or in the emission of an era, that was under way when it was made:
    /// a delegator cannot join a pool just before a large payout (for which others' stake was at risk)
    /// and leave after it. Zero activates delegations at once. Set at genesis.
    #[pallet::storage]
    pub type DelegationWarmup<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

    /// Reputation counters of every account that ever provided.
    #[pallet::storage]
    pub type Reputations<T: Config> =
        StorageMap<_, Blake2_128Concat, T::AccountId, Reputation<BalanceOf<T>>, ValueQuery>;

    /// The sampler's index: active providers by ask tier and stake level, `0 .. count` in each.
    #[pallet::storage]
    pub type ActiveSet<T: Config> = StorageDoubleMap<
        _,
        Twox64Concat,
        (u8, u8),
        Twox64Concat,
        u32,
        SamplerEntry<T::AccountId, BalanceOf<T>>,
    >;

    /// Non-empty stake levels of each ask tier of the active set and their sizes, by increasing level.
    #[pallet::storage]
    pub type ActiveLevels<T: Config> = StorageMap<
        _,
        Twox64Concat,
        u8,
        BoundedVec<LevelCount, ConstU32<{ MAX_LEVEL as u32 + 1 }>>,
        ValueQuery,
    >;

    /// Non-empty ask tiers of the active set and their sampling mass, by increasing tier.
    #[pallet::storage]
    pub type ActiveTiers<T: Config> =
        StorageValue<_, BoundedVec<TierMass, ConstU32<{ ASK_TIERS as u32 }>>, ValueQuery>;

    /// The era in progress.
    #[pallet::storage]
    pub type CurrentEra<T: Config> = StorageValue<_, EraIndex, ValueQuery>;

    /// Emission and work of the current era and of closed eras not yet paid out.
    #[pallet::storage]
    pub type Eras<T: Config> =
        StorageMap<_, Twox64Concat, EraIndex, EraInfo<BlockNumberFor<T>, BalanceOf<T>>>;

    /// Verified work units per era and provider; drained by the payout.
    #[pallet::storage]
    pub type EraWork<T: Config> =
        StorageDoubleMap<_, Twox64Concat, EraIndex, Blake2_128Concat, T::AccountId, u64, ValueQuery>;

    /// Oldest era whose payout has not finished.
    #[pallet::storage]
    pub type NextEraToPay<T: Config> = StorageValue<_, EraIndex, ValueQuery>;

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// A provider registered and bonded.
        ProviderRegistered {
            /// The provider.
            provider: T::AccountId,
            /// Its commission.
            commission: Perbill,
            /// Its self-bond.
            bond: BalanceOf<T>,
            /// Tokens left on the new pool account to keep it in existence (zero when it existed).
            pool_deposit: BalanceOf<T>,
        },
        /// A provider changed its profile.
        ProfileUpdated {
            /// The provider.
            provider: T::AccountId,
        },
        /// A provider changed its commission.
        CommissionChanged {
            /// The provider.
            provider: T::AccountId,
            /// Commission before.
            old: Perbill,
            /// Commission now.
            new: Perbill,
        },
        /// A provider added to its self-bond.
        Bonded {
            /// The provider.
            provider: T::AccountId,
            /// Tokens added.
            amount: BalanceOf<T>,
        },
        /// A provider started unbonding part of its self-bond.
        Unbonded {
            /// The provider.
            provider: T::AccountId,
            /// Tokens unbonding.
            amount: BalanceOf<T>,
            /// First block at which they can be withdrawn.
            unlock: BlockNumberFor<T>,
        },
        /// A provider withdrew unbonded tokens to its free balance.
        Withdrawn {
            /// The provider.
            provider: T::AccountId,
            /// Tokens withdrawn.
            amount: BalanceOf<T>,
        },
        /// A provider left the active set.
        Chilled {
            /// The provider.
            provider: T::AccountId,
            /// Why.
            reason: ChillReason,
        },
        /// A chilled provider is active again.
        Rejoined {
            /// The provider.
            provider: T::AccountId,
        },
        /// A provider deregistered.
        Deregistered {
            /// The provider.
            provider: T::AccountId,
        },
        /// A pool account was emptied and its deposit returned.
        PoolDissolved {
            /// The provider of the pool.
            provider: T::AccountId,
            /// Tokens returned to the provider (the deposit, and anything else left free on the account).
            returned: BalanceOf<T>,
        },
        /// Tokens delegated to a provider, warming up until `activation`.
        Delegated {
            /// Who delegated.
            delegator: T::AccountId,
            /// To whom.
            provider: T::AccountId,
            /// Tokens delegated.
            amount: BalanceOf<T>,
            /// First block at which they are active (at risk, earning, weighing in the sampler).
            activation: BlockNumberFor<T>,
        },
        /// A batch of warming-up delegations became active stake.
        DelegationsActivated {
            /// The provider.
            provider: T::AccountId,
            /// The batch.
            activation: BlockNumberFor<T>,
            /// Tokens activated.
            amount: BalanceOf<T>,
            /// Shares they bought, handed to their delegators.
            shares: BalanceOf<T>,
        },
        /// A delegator took back delegations that were still warming up.
        PendingDelegationCancelled {
            /// The delegator.
            delegator: T::AccountId,
            /// The provider.
            provider: T::AccountId,
            /// Tokens returned.
            amount: BalanceOf<T>,
        },
        /// A delegator started unbonding.
        Undelegated {
            /// The delegator.
            delegator: T::AccountId,
            /// The provider.
            provider: T::AccountId,
            /// Tokens unbonding.
            amount: BalanceOf<T>,
            /// Shares burned.
            shares: BalanceOf<T>,
            /// First block at which they can be withdrawn.
            unlock: BlockNumberFor<T>,
        },
        /// A delegator withdrew unbonded tokens.
        DelegationWithdrawn {
            /// The delegator.
            delegator: T::AccountId,
            /// The provider.
            provider: T::AccountId,
            /// Tokens withdrawn.
            amount: BalanceOf<T>,
        },
        /// A job payment rewarded a provider.
        Rewarded {
            /// The provider.
            provider: T::AccountId,
            /// Who paid.
            payer: T::AccountId,
            /// How the payment was split.
            split: RewardSplit<BalanceOf<T>>,
            /// The job paid for.
            job_id: compute_primitives::JobId,
        },
        /// A provider's pool was slashed.
        Slashed {
            /// The provider.
            provider: T::AccountId,
            /// Amount asked for.
            requested: BalanceOf<T>,
            /// Taken from the self-bond and its unbonding chunks.
            from_bond: BalanceOf<T>,
            /// Taken from the delegators, active and unbonding.
            from_delegators: BalanceOf<T>,
            /// The job whose fault it paid for (`None`: `force_slash`).
            job_id: Option<compute_primitives::JobId>,
        },
        /// The outcome of a job was recorded in a provider's reputation.
        OutcomeRecorded {
            /// The provider.
            provider: T::AccountId,
            /// The outcome.
            outcome: compute_primitives::JobOutcome,
            /// The job.
            job_id: compute_primitives::JobId,
        },
        /// An era ended.
        EraClosed {
            /// The era.
            era: EraIndex,
            /// Its emission (minted only as it is paid).
            emission: BalanceOf<T>,
            /// Its verified work units; without work nothing is paid.
            work: u128,
        },
        /// Emission paid to a provider for its work in an era.
        EmissionPaid {
            /// The era.
            era: EraIndex,
            /// The provider.
            provider: T::AccountId,
            /// Its work units in the era.
            work: u64,
            /// How the payment was split.
            split: RewardSplit<BalanceOf<T>>,
        },
        /// Every provider with work in the era has been paid.
        EraPaid {
            /// The era.
            era: EraIndex,
            /// Emission minted for it (the rest, rounding and forfeited shares, was never minted).
            paid: BalanceOf<T>,
        },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// The account is already a registered provider.
        AlreadyRegistered,
        /// The account is not a registered provider.
        NotAProvider,
        /// The GPU name or the endpoint is empty.
        EmptyProfileField,
        /// `max_concurrent_jobs` is zero or above `MaxConcurrentJobs`.
        InvalidCapacity,
        /// The ask is above the price of the highest ask tier.
        AskTooHigh,
        /// The commission is above `MaxCommission`.
        CommissionTooHigh,
        /// The commission increase is above `MaxCommissionIncrease`.
        CommissionIncreaseTooLarge,
        /// The last commission increase is less than `CommissionChangeDelay` ago.
        CommissionChangeTooSoon,
        /// The self-bond would be below `MinProviderBond` (or, for `unbond`, more than is bonded).
        InsufficientBond,
        /// The amount is zero.
        ZeroAmount,
        /// The account cannot pay this amount and stay alive.
        InsufficientBalance,
        /// Too many unbonding chunks or claims: withdraw the unlocked ones first.
        TooManyUnbondingChunks,
        /// Nothing has finished unbonding.
        NothingToWithdraw,
        /// The account cannot receive this amount (it would stay below the existential deposit).
        CannotReceive,
        /// The provider is already chilled.
        AlreadyChilled,
        /// The provider is not chilled.
        NotChilled,
        /// The provider was chilled for too many faults less than `RejoinCooldown` blocks ago.
        CooldownNotOver,
        /// The provider still has bonded or unbonding tokens, delegations or assigned jobs.
        NotIdle,
        /// The provider still has a self-bond: only a leaving provider may unbond its delegators.
        StillBonded,
        /// The provider has no self-bond (it is leaving): it takes no new delegations.
        ProviderLeaving,
        /// Providers grow their stake with `bond_extra`, not by delegating to themselves.
        SelfDelegation,
        /// The delegation is below `MinDelegation`, or too small to mint a share or a point.
        DelegationTooSmall,
        /// A partial undelegation would leave less than `MinDelegation`.
        RemainderTooSmall,
        /// Slashes pushed the pool's share price below a tenth of its initial price
        /// (`MAX_SHARE_DILUTION`): it takes no new delegations until rewards restore it.
        PoolDepleted,
        /// No delegation of this account to this provider.
        NotDelegated,
        /// The delegation is still warming up: nothing is active to unbond yet
        /// (`cancel_pending_delegation` returns it).
        NotYetActive,
        /// None of the caller's delegation to this provider is warming up with more than
        /// `cancel_cutoff()` blocks to go.
        NothingPending,
        /// Arithmetic overflow.
        Overflow,
        /// The pool's accounts are inconsistent; a defensive failure.
        Inconsistent,
        /// The provider has nothing slashable.
        NothingToSlash,
        /// The pool has as many warm-up batches as it can hold: batches that its depletion kept from
        /// activating hold their slots until rewards restore the pool or their delegators cancel them.
        WarmUpFull,
    }

    /// Providers registered at genesis, for development, test and benchmark chains.
    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// Each registers as `register_provider` would (see [`GenesisProvider`]).
        pub providers: alloc::vec::Vec<GenesisProvider<T>>,
        /// `DelegationWarmup`, in blocks.
        pub delegation_warmup: BlockNumberFor<T>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            DelegationWarmup::<T>::put(self.delegation_warmup);
            for GenesisProvider { account: who, bond, vram_mib, max_concurrent_jobs, ask } in &self.providers
            {
                let profile = ProviderProfile::<T> {
                    gpu_name: BoundedVec::truncate_from(b"genesis".to_vec()),
                    vendor: BoundedVec::truncate_from(b"genesis".to_vec()),
                    backend: GpuBackend::Vulkan,
                    vram_mib: *vram_mib,
                    benchmark_score: 0,
                    determinism_class: compute_primitives::DeterminismClass([0; 16]),
                    max_concurrent_jobs: *max_concurrent_jobs,
                    ask: *ask,
                    endpoint: BoundedVec::truncate_from(b"http://127.0.0.1:8040".to_vec()),
                };
                if let Err(e) = Pallet::<T>::do_register(who.clone(), profile, Perbill::zero(), *bond) {
                    panic!("genesis provider {who:?} cannot register: {e:?}");
                }
            }
        }
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn on_initialize(now: BlockNumberFor<T>) -> Weight {
            Self::on_initialize_emission(now)
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
        /// Registers the caller as a provider and bonds `bond` from its free balance.
        ///
        /// - origin: signed, the provider.
        /// - `profile`: hardware and terms; `gpu_name` and `endpoint` not empty, `max_concurrent_jobs` in
        ///   `1 ..= MaxConcurrentJobs`; `ask` at most the price of the highest ask tier, and stored
        ///   rounded up to the price of its tier (`AskTierBase × 2^(t/4)`).
        /// - `commission`: at most `MaxCommission`.
        /// - `bond`: at least `MinProviderBond`, held under `ProviderBond` on the pool account. A new pool
        ///   account also receives the existential deposit, returned when the pool dissolves.
        ///
        /// Errors: `AlreadyRegistered`, `EmptyProfileField`, `InvalidCapacity`, `AskTooHigh`,
        /// `CommissionTooHigh`, `InsufficientBond`, `InsufficientBalance`. Event: `ProviderRegistered`. The
        /// provider is active.
        #[pallet::call_index(0)]
        pub fn register_provider(
            origin: OriginFor<T>,
            profile: ProviderProfile<T>,
            commission: Perbill,
            #[pallet::compact] bond: BalanceOf<T>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_register(who, profile, commission, bond)
        }

        /// Replaces the caller's profile.
        ///
        /// - origin: signed, a provider.
        /// - `profile`: as in `register_provider`. Lowering `max_concurrent_jobs` below the slots in use
        ///   only stops new assignments until jobs end.
        ///
        /// Errors: `NotAProvider`, `EmptyProfileField`, `InvalidCapacity`, `AskTooHigh`. Event:
        /// `ProfileUpdated`.
        #[pallet::call_index(1)]
        pub fn update_profile(origin: OriginFor<T>, profile: ProviderProfile<T>) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_update_profile(who, profile)
        }

        /// Sets the caller's commission.
        ///
        /// - origin: signed, a provider.
        /// - `commission`: at most `MaxCommission`. A decrease applies at once; an increase is at most
        ///   `MaxCommissionIncrease` and at least `CommissionChangeDelay` blocks after the previous increase
        ///   (or the registration).
        ///
        /// Errors: `NotAProvider`, `CommissionTooHigh`, `CommissionIncreaseTooLarge`,
        /// `CommissionChangeTooSoon`. Event: `CommissionChanged`.
        #[pallet::call_index(2)]
        pub fn set_commission(origin: OriginFor<T>, commission: Perbill) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_set_commission(who, commission)
        }

        /// Adds `amount` from the caller's free balance to its self-bond.
        ///
        /// - origin: signed, a provider.
        /// - `amount`: > 0.
        ///
        /// Errors: `NotAProvider`, `ZeroAmount`, `InsufficientBalance`. Event: `Bonded`.
        #[pallet::call_index(3)]
        pub fn bond_extra(origin: OriginFor<T>, #[pallet::compact] amount: BalanceOf<T>) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_bond_extra(who, amount)
        }

        /// Starts unbonding `amount` of the caller's self-bond. The tokens stay slashable for
        /// `UnbondingPeriod` blocks, then `withdraw_unbonded` frees them.
        ///
        /// - origin: signed, a provider.
        /// - `amount`: > 0 and at most the bond; an active provider keeps at least `MinProviderBond`
        ///   (`chill` first to unbond everything).
        ///
        /// Errors: `NotAProvider`, `ZeroAmount`, `InsufficientBond`, `TooManyUnbondingChunks`.
        /// Event: `Unbonded`.
        #[pallet::call_index(4)]
        pub fn unbond(origin: OriginFor<T>, #[pallet::compact] amount: BalanceOf<T>) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_unbond(who, amount)
        }

        /// Moves the caller's unbonding chunks whose unlock block has come to its free balance.
        ///
        /// - origin: signed, a provider.
        ///
        /// Errors: `NotAProvider`, `NothingToWithdraw`, `CannotReceive`. Event: `Withdrawn`.
        #[pallet::call_index(5)]
        pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_withdraw_unbonded(who)
        }

        /// Takes the caller out of the active set: no new assignments. Jobs in progress go on.
        ///
        /// - origin: signed, an active provider.
        ///
        /// Errors: `NotAProvider`, `AlreadyChilled`. Event: `Chilled`.
        #[pallet::call_index(6)]
        pub fn chill(origin: OriginFor<T>) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_chill(who)
        }

        /// Puts a chilled provider back in the active set. Its fault record stays: faults still in the
        /// `FaultWindow` count towards the next chill.
        ///
        /// - origin: signed, a chilled provider with a self-bond of at least `MinProviderBond`; one chilled
        ///   for `TooManyFaults` at least `RejoinCooldown` blocks after its last fault.
        ///
        /// Errors: `NotAProvider`, `NotChilled`, `CooldownNotOver`, `InsufficientBond`. Event: `Rejoined`.
        #[pallet::call_index(7)]
        pub fn rejoin(origin: OriginFor<T>) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_rejoin(who)
        }

        /// Removes the caller's registration. Its reputation stays on chain.
        ///
        /// - origin: signed, a provider with no self-bond, nothing unbonding, no delegations and no
        ///   assigned job (delegators that stay are unbonded with `unbond_delegator`). Delegators'
        ///   unbonding pools may remain; the pool account dissolves (and its deposit returns) when they
        ///   are withdrawn.
        ///
        /// Errors: `NotAProvider`, `NotIdle`. Events: `Deregistered`, and `PoolDissolved` when the pool
        /// account is empty.
        #[pallet::call_index(8)]
        pub fn deregister(origin: OriginFor<T>) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_deregister(who)
        }

        /// Delegates `amount` of the caller's free balance to `provider`'s pool. The tokens warm up for
        /// `DelegationWarmup` blocks (rounded up to a batch), then buy shares at the pool's rate of that
        /// moment, rounded down (`INITIAL_SHARES_PER_PLANCK` per planck in an empty pool).
        ///
        /// - origin: signed, any account but the provider.
        /// - `provider`: a registered provider (active or chilled) with a self-bond.
        /// - `amount`: at least `MinDelegation`.
        ///
        /// Errors: `NotAProvider`, `SelfDelegation`, `DelegationTooSmall`, `ProviderLeaving`,
        /// `PoolDepleted`, `InsufficientBalance`, `TooManyUnbondingChunks` (claims),
        /// `WarmUpFull`, `Overflow`. Event: `Delegated`.
        #[pallet::call_index(9)]
        pub fn delegate(
            origin: OriginFor<T>,
            provider: T::AccountId,
            #[pallet::compact] amount: BalanceOf<T>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_delegate(who, provider, amount)
        }

        /// Starts unbonding `amount` of the caller's delegation to `provider`. Shares are burned rounded
        /// up; the tokens join an unbonding pool that stays slashable for at least `UnbondingPeriod`.
        ///
        /// - origin: signed, a delegator of `provider` (registered or not).
        /// - `amount`: > 0; at least the delegation's value unbonds all of it, otherwise at least
        ///   `MinDelegation` must remain.
        ///
        /// Errors: `NotDelegated`, `NotYetActive`, `ZeroAmount`, `RemainderTooSmall`,
        /// `DelegationTooSmall`, `TooManyUnbondingChunks`, `Overflow`. Event: `Undelegated`.
        #[pallet::call_index(10)]
        pub fn undelegate(
            origin: OriginFor<T>,
            provider: T::AccountId,
            #[pallet::compact] amount: BalanceOf<T>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_undelegate(who, provider, amount)
        }

        /// Moves the caller's unlocked unbonding claims on `provider`'s pool to its free balance.
        ///
        /// - origin: signed, a delegator of `provider` (registered or not).
        ///
        /// Errors: `NotDelegated`, `NothingToWithdraw`, `CannotReceive`. Events: `DelegationWithdrawn`,
        /// and `PoolDissolved` when this empties a deregistered provider's pool.
        #[pallet::call_index(11)]
        pub fn withdraw_delegation(origin: OriginFor<T>, provider: T::AccountId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_withdraw_delegation(who, provider)
        }

        /// Slashes up to `amount` from `provider`'s pool, pro rata over its self-bond, its delegators and
        /// everything still unbonding, and hands the funds to `OnSlash`.
        ///
        /// - origin: `ForceOrigin`.
        /// - `provider`: an account with a pool.
        /// - `amount`: the most to slash.
        ///
        /// Errors: `NothingToSlash`. Event: `Slashed`.
        #[pallet::call_index(12)]
        pub fn force_slash(
            origin: OriginFor<T>,
            provider: T::AccountId,
            #[pallet::compact] amount: BalanceOf<T>,
        ) -> DispatchResult {
            T::ForceOrigin::ensure_origin(origin)?;
            let credit = Self::do_force_slash(&provider, amount)?;
            T::OnSlash::on_unbalanced(credit);
            Ok(())
        }

        /// Starts unbonding all of `delegator`'s delegation to the caller, as `undelegate` would: how a
        /// leaving provider gets to `deregister` when delegators do not leave on their own (a delegation
        /// of any size would otherwise keep it registered for ever). The tokens stay the delegator's and
        /// stay slashable for `UnbondingPeriod`, like any unbonding.
        ///
        /// - origin: signed, a provider with no self-bond (it unbonded all of it, so it is not active and
        ///   its delegators earn nothing by staying).
        /// - `delegator`: an account delegating to it.
        ///
        /// Claims of the delegator's that have unlocked are paid out to it first, and what it still has
        /// warming up is returned to it (`PendingDelegationCancelled`). Errors: `NotAProvider`,
        /// `StillBonded`, `NotDelegated`, `CannotReceive`, `DelegationTooSmall`, `Overflow`. Events:
        /// `DelegationWithdrawn` when claims had unlocked, `Undelegated`.
        #[pallet::call_index(13)]
        #[pallet::weight(T::WeightInfo::undelegate()
            .saturating_add(T::WeightInfo::withdraw_delegation())
            .saturating_add(T::WeightInfo::cancel_pending_delegation())
            .saturating_add(T::DbWeight::get().reads(1)))]
        pub fn unbond_delegator(origin: OriginFor<T>, delegator: T::AccountId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_unbond_delegator(who, delegator)
        }

        /// Returns to the caller's free balance its delegation to `provider` that is still warming up
        /// and has more than `cancel_cutoff()` (three quarters of `DelegationWarmup`) blocks to go (or
        /// is due but could not activate, its pool depleted): it was never at risk, so it leaves at once.
        /// Closer to their activation, claims stay: the choice to stay is made before the jobs its
        /// delegation will share in can be known.
        ///
        /// - origin: signed, a delegator of `provider` with such tokens.
        ///
        /// Errors: `NotDelegated`, `NothingPending`. Event: `PendingDelegationCancelled` (and
        /// `DelegationsActivated` for batches whose warm-up ended, which are no longer pending).
        #[pallet::call_index(14)]
        pub fn cancel_pending_delegation(origin: OriginFor<T>, provider: T::AccountId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_cancel_pending_delegation(who, provider)
        }
    }
}
