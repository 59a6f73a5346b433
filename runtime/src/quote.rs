//! `ComputeApi::quote`: what a job spec costs at the providers' current asks.

use compute_runtime_api::{Quote, QuoteError};
use frame_support::traits::Get;
use pallet_compute_jobs::JobSpecOf;
use sp_runtime::ArithmeticError;

use crate::{Balance, ComputeJobs, ComputeStaking, Runtime};

/// The least reward per replica at which `spec` would be assigned now, and the escrow it would hold.
///
/// The spec's own `reward_per_replica` is ignored (a quote is what one asks before choosing it); the rest
/// is validated exactly as `submit_job` would.
pub fn quote(mut spec: JobSpecOf<Runtime>) -> Result<Quote<Balance>, QuoteError> {
    let min_reward = <Runtime as pallet_compute_jobs::Config>::MinRewardPerReplica::get();
    spec.reward_per_replica = min_reward;
    ComputeJobs::validate_spec(&spec).map_err(|e| QuoteError::InvalidSpec(e.into()))?;
    let needed = u32::from(spec.replicas);
    let (ask, eligible) =
        ComputeStaking::quote_offer(needed, spec.needs.min_vram_mib, spec.needs.determinism_class)
            .map_err(|eligible| QuoteError::NotEnoughProviders { eligible, needed })?;
    spec.reward_per_replica = ask.max(min_reward);
    let escrow =
        ComputeJobs::escrow_for(&spec).ok_or(QuoteError::InvalidSpec(ArithmeticError::Overflow.into()))?;
    Ok(Quote {
        reward_per_replica: spec.reward_per_replica,
        fee: <Runtime as pallet_compute_jobs::Config>::JobFee::get(),
        escrow,
        eligible_providers: eligible,
    })
}
