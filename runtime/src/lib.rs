//! # Compute chain runtime
//!
//! The FRAME runtime of the compute chain: block production by BABE (whose VRF output is the randomness that
//! assigns providers to jobs), finality by GRANDPA, balances and transaction fees, and the compute pallets.
//!
//! The validator set is fixed at genesis (no session pallet yet): BABE runs with the same authorities forever
//! and GRANDPA never changes its set. Equivocations are therefore not reported on chain.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` and `impl_runtime_apis` expand deeply.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

// Declared before `apis`: the benchmark list is a textually scoped macro that `apis` invokes.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helpers;
pub mod canaries;
pub mod configs;
#[cfg(feature = "std")]
pub mod extrinsic;
pub mod genesis_config_presets;
#[cfg(feature = "std")]
pub mod job_benchmarks;
mod quote;

use sp_runtime::{
    generic, impl_opaque_keys,
    traits::{BlakeTwo256, IdentifyAccount, Verify},
    MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_support::weights::constants::RocksDbWeight;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;

/// Opaque types: what the node needs to know about the runtime without knowing its calls.
pub mod opaque {
    use super::*;
    pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

    /// Header of an opaque block.
    pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
    /// An opaque block.
    pub type Block = generic::Block<Header, UncheckedExtrinsic>;
    /// Hash of an opaque block.
    pub type Hash = <BlakeTwo256 as sp_runtime::traits::Hash>::Output;

    impl_opaque_keys! {
        /// The keys a validator holds: BABE for authoring, GRANDPA for finality.
        pub struct SessionKeys {
            pub babe: Babe,
            pub grandpa: Grandpa,
        }
    }
}

/// Version of the runtime. Bump `spec_version` on every change of runtime logic, `transaction_version` on every
/// change of a call's index or arguments.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
    spec_name: alloc::borrow::Cow::Borrowed("compute-chain"),
    impl_name: alloc::borrow::Cow::Borrowed("compute-node"),
    authoring_version: 1,
    spec_version: 106,
    impl_version: 1,
    apis: apis::RUNTIME_API_VERSIONS,
    transaction_version: 2,
    system_version: 1,
};

/// The BABE epoch configuration at genesis: one in four slots is a primary slot; every other slot gets a
/// secondary VRF author, so a block (and a fresh VRF output) exists for every slot.
pub const BABE_GENESIS_EPOCH_CONFIG: sp_consensus_babe::BabeEpochConfiguration =
    sp_consensus_babe::BabeEpochConfiguration {
        c: PRIMARY_PROBABILITY,
        allowed_slots: sp_consensus_babe::AllowedSlots::PrimaryAndSecondaryVRFSlots,
    };

/// Probability of a slot being a primary slot, as a fraction.
pub const PRIMARY_PROBABILITY: (u64, u64) = (1, 4);

/// Time between two blocks. Three seconds keeps job windows short on a development chain.
pub const MILLI_SECS_PER_BLOCK: u64 = 3000;
/// BABE slot duration, equal to the block time.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Block counts of common durations.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;
/// Blocks a delegation warms up before it is active (`DelegationWarmup`, set at genesis): longer than
/// the longest time from a job's assignment to its payout, a dispute included (twice the longest commit
/// and reveal windows, 50 hours), plus an emission era, plus room for deadlines the chain defers. No
/// delegation shares in a payment for work under way when it was made.
pub const DELEGATION_WARMUP: BlockNumber = 3 * DAYS;
/// The development chain's warm-up: half a minute, so that a delegation can be watched going active.
pub const DEV_DELEGATION_WARMUP: BlockNumber = 10;
/// Blocks in a year of 365.25 days, for annualised yields.
pub const BLOCKS_PER_YEAR: u32 = DAYS * 36_525 / 100;

/// Length of a BABE epoch in slots (and blocks, as every slot has an author).
pub const EPOCH_DURATION_IN_SLOTS: u64 = 10 * MINUTES as u64;

/// The token: symbol, decimals and its units.
pub const TOKEN_SYMBOL: &str = "GPUC";
/// Decimals of the token, as `system_properties` reports them.
pub const TOKEN_DECIMALS: u8 = 12;
/// One whole token in plancks.
pub const UNIT: Balance = 1_000_000_000_000;
/// One thousandth of a token.
pub const MILLI_UNIT: Balance = UNIT / 1_000;
/// One millionth of a token.
pub const MICRO_UNIT: Balance = UNIT / 1_000_000;
/// The smallest balance an account may hold.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;
/// The address format (SS58 prefix) of the chain: the generic Substrate prefix, so that every wallet
/// shows the familiar `5…` addresses.
pub const SS58_PREFIX: u16 = 42;

/// Signature type of transactions.
pub type Signature = MultiSignature;
/// An account id: the public key behind a signature.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of an account.
pub type Balance = u128;
/// Index of a transaction of an account.
pub type Nonce = u32;
/// Hash type.
pub type Hash = sp_core::H256;
/// Block number.
pub type BlockNumber = u32;
/// The address format of a call's sender.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A block with its justifications.
pub type SignedBlock = generic::SignedBlock<Block>;
/// A block id.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions, checked in this order for every signed transaction.
pub type TxExtension = (
    frame_system::CheckNonZeroSender<Runtime>,
    frame_system::CheckSpecVersion<Runtime>,
    frame_system::CheckTxVersion<Runtime>,
    frame_system::CheckGenesis<Runtime>,
    frame_system::CheckEra<Runtime>,
    frame_system::CheckNonce<Runtime>,
    frame_system::CheckWeight<Runtime>,
    pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
    frame_system::WeightReclaim<Runtime>,
);

/// An extrinsic as it is submitted.
pub type UncheckedExtrinsic = generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload that a sender signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations to run on a runtime upgrade.
type Migrations = ();

/// Dispatches calls to the pallets.
pub type Executive = frame_executive::Executive<
    Runtime,
    Block,
    frame_system::ChainContext<Runtime>,
    Runtime,
    AllPalletsWithSystem,
    Migrations,
>;

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
    pub struct Runtime;

    #[runtime::pallet_index(0)]
    pub type System = frame_system;

    // BABE first after System: its `on_initialize` reads the slot and VRF output that the other pallets use.
    #[runtime::pallet_index(1)]
    pub type Babe = pallet_babe;

    #[runtime::pallet_index(2)]
    pub type Timestamp = pallet_timestamp;

    #[runtime::pallet_index(3)]
    pub type Grandpa = pallet_grandpa;

    #[runtime::pallet_index(4)]
    pub type Balances = pallet_balances;

    #[runtime::pallet_index(5)]
    pub type TransactionPayment = pallet_transaction_payment;

    #[runtime::pallet_index(6)]
    pub type Sudo = pallet_sudo;

    #[runtime::pallet_index(10)]
    pub type ComputeStaking = pallet_compute_staking;

    #[runtime::pallet_index(11)]
    pub type ComputeJobs = pallet_compute_jobs;
}
