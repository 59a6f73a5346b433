//! # Compute runtime API
//!
//! What wallets, requesters, providers and delegators read from the compute market without building
//! storage keys: a job's state, a provider's open assignments, a provider's record with an estimated yield,
//! a delegator's position in a pool, and a price quote for a job spec. The runtime implements [`ComputeApi`]; its types are in the metadata,
//! so polkadot-js calls it as `api.call.computeApi.job(id)` with no custom type definitions.
//!
//! The trait is generic over the runtime's concrete types (the jobs pallet's job details, the staking
//! pallet's provider and delegation statistics, the job spec with the runtime's bounds), which keeps this crate free of
//! both pallets.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Codec, Decode, DecodeWithMemTracking, Encode};
use compute_primitives::JobId;
use scale_info::TypeInfo;
use sp_runtime::DispatchError;

/// What a job spec would cost at the current asks.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct Quote<Balance> {
    /// The least reward per replica that enough eligible providers ask for: offering it, the job is
    /// assigned (while their asks and free capacity stay as they are).
    pub reward_per_replica: Balance,
    /// The protocol's fee per job.
    pub fee: Balance,
    /// What `submit_job` would hold in all: the escrow (`(replicas + referees) × reward_per_replica`, the
    /// referees' part refunded without a dispute), the fee, and the storage deposit (returned when the job
    /// ends).
    pub escrow: Balance,
    /// Providers that meet the spec's hardware needs and have a free slot, whatever their ask.
    pub eligible_providers: u32,
}

/// Why no quote can be given.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum QuoteError {
    /// `submit_job` would refuse the spec for this reason (the jobs pallet's error).
    InvalidSpec(DispatchError),
    /// Fewer providers meet the spec's hardware needs (with a free slot) than it has replicas.
    NotEnoughProviders {
        /// Providers that qualify.
        eligible: u32,
        /// Replicas asked for.
        needed: u32,
    },
}

sp_api::decl_runtime_apis! {
    /// Read access to the compute market.
    pub trait ComputeApi<AccountId, Balance, JobDetails, JobSpec, ProviderStats, DelegationStats>
    where
        AccountId: Codec,
        Balance: Codec,
        JobDetails: Codec,
        JobSpec: Codec,
        ProviderStats: Codec,
        DelegationStats: Codec,
    {
        /// An open job (spec, phase, deadline, replicas) or the record of a finished one still retained;
        /// `None` for an unknown or pruned job.
        fn job(job_id: JobId) -> Option<JobDetails>;

        /// The open jobs assigned to `provider`, in id order.
        fn assignments(provider: AccountId) -> Vec<JobId>;

        /// A provider's bond, pool, terms and reputation, with an estimated yield; `None` when it is not
        /// registered.
        fn provider_stats(provider: AccountId) -> Option<ProviderStats>;

        /// What `delegator`'s shares and unbonding claims in the pool of `provider` are worth now, and
        /// how much of it is withdrawable; `None` when it has no position there.
        fn delegation(provider: AccountId, delegator: AccountId) -> Option<DelegationStats>;

        /// The reward per replica and escrow at which `spec` would be assigned now.
        fn quote(spec: JobSpec) -> Result<Quote<Balance>, QuoteError>;
    }
}
