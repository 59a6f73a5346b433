//! The delegator's commands: stake behind a provider, unbond, withdraw, and read a provider's record and
//! estimated yield (what a delegator chooses by) with the delegator's own position.

use crate::chain::{api, AccountId, Chain, DelegationStats, ProviderStats};
use crate::keys::{ss58, Identity};
use crate::units::format_amount;
use crate::Error;

/// `gpu-worker delegate PROVIDER AMOUNT`.
pub async fn delegate(
    chain: &Chain,
    who: &Identity,
    provider: AccountId,
    amount: u128,
) -> Result<String, Error> {
    chain
        .submit_and_watch(who.keypair(), &api::tx().compute_staking().delegate(provider.into(), amount))
        .await?;
    Ok(format!(
        "{} delegated {} to {}; it earns (and is at risk) after its warm-up: `gpu-worker rewards --delegator` \
         shows when, `gpu-worker cancel-delegation` takes it back before",
        who.ss58(),
        format_amount(amount),
        ss58(&provider)
    ))
}

/// `gpu-worker cancel-delegation PROVIDER`: takes back at once what still warms up.
pub async fn cancel(chain: &Chain, who: &Identity, provider: AccountId) -> Result<String, Error> {
    chain
        .submit_and_watch(
            who.keypair(),
            &api::tx().compute_staking().cancel_pending_delegation(provider.into()),
        )
        .await?;
    Ok(format!("{} took back its warming-up delegation to {}", who.ss58(), ss58(&provider)))
}

/// `gpu-worker undelegate PROVIDER AMOUNT`: starts unbonding (slashable until the unbonding period ends).
pub async fn undelegate(
    chain: &Chain,
    who: &Identity,
    provider: AccountId,
    amount: u128,
) -> Result<String, Error> {
    chain
        .submit_and_watch(who.keypair(), &api::tx().compute_staking().undelegate(provider.into(), amount))
        .await?;
    Ok(format!(
        "{} started unbonding {} from {}; `gpu-worker withdraw-delegation` releases it after the unbonding period",
        who.ss58(),
        format_amount(amount),
        ss58(&provider)
    ))
}

/// `gpu-worker withdraw-delegation PROVIDER`: releases unlocked unbonding claims.
pub async fn withdraw(chain: &Chain, who: &Identity, provider: AccountId) -> Result<String, Error> {
    chain
        .submit_and_watch(who.keypair(), &api::tx().compute_staking().withdraw_delegation(provider.into()))
        .await?;
    Ok(format!("{} withdrew its unlocked delegation to {}", who.ss58(), ss58(&provider)))
}

/// `gpu-worker rewards PROVIDER [--delegator ACCOUNT]`: the provider's stake, terms, earnings, record and
/// estimated yield, and the delegator's position in its pool.
pub async fn rewards(
    chain: &Chain,
    provider: AccountId,
    delegator: Option<AccountId>,
) -> Result<String, Error> {
    let at = chain.at_best().await?;
    let mut out = match chain.provider_stats(&at, &provider).await? {
        None => format!("{} is not a provider\n", ss58(&provider)),
        Some(stats) => describe(&provider, &stats),
    };
    if let Some(delegator) = delegator {
        // A pool outlives its provider's registration while delegators unbond from it.
        out.push_str(&match chain.delegation(&at, &provider, &delegator).await? {
            None => format!("{} has no delegation to this provider\n", ss58(&delegator)),
            Some(position) => describe_position(&delegator, &position, at.block_number()),
        });
    }
    Ok(out)
}

fn describe_position(delegator: &AccountId, d: &DelegationStats, now: u64) -> String {
    let share = if d.pool_shares == 0 { 0.0 } else { d.shares as f64 / d.pool_shares as f64 * 100.0 };
    let mut out = format!(
        "delegator {}: {} active ({share:.2}% of the pool's shares), {} in all\n",
        ss58(delegator),
        format_amount(d.active),
        format_amount(d.total()),
    );
    for claim in &d.unbonding {
        let when = if u64::from(claim.unlock) <= now {
            "withdrawable now".to_owned()
        } else {
            format!("unlocks at block #{} (slashable until then)", claim.unlock)
        };
        out.push_str(&format!("  unbonding {}: {when}\n", format_amount(claim.value)));
    }
    for claim in &d.warming_up {
        out.push_str(&format!(
            "  warming up {}: active from block #{} (neither earning nor at risk before)\n",
            format_amount(claim.value),
            claim.activation
        ));
    }
    if d.withdrawable > 0 {
        out.push_str(&format!(
            "  `gpu-worker withdraw-delegation` releases {} now\n",
            format_amount(d.withdrawable)
        ));
    }
    out
}

fn percent(ppb: u32) -> String {
    format!("{:.2}%", f64::from(ppb) / 10_000_000.0)
}

fn describe(provider: &AccountId, s: &ProviderStats) -> String {
    let status = match (s.active, &s.chilled_because) {
        (true, _) => "active".to_owned(),
        (false, Some(reason)) => format!("chilled ({reason:?})"),
        (false, None) => "chilled".to_owned(),
    };
    let r = &s.reputation;
    format!(
        "provider {}: {status}, registered at block #{}\n  \
         bond {}, delegated {} (and {} warming up), commission {}, ask {} per replica, {} MiB, slots {}/{}\n  \
         earned by the pool since registration {}, estimated annual yield {} (after commission), \
         of which from the emission {}\n  \
         jobs completed {} (canaries {}), wrong results {}, missed deadlines {}, slashed {}, earned {}\n",
        ss58(provider),
        s.registered_at,
        format_amount(s.bond),
        format_amount(s.delegated),
        format_amount(s.warming_up),
        percent(s.commission.0),
        format_amount(s.ask),
        s.vram_mib,
        s.slots_taken,
        s.max_concurrent_jobs,
        format_amount(s.pool_earnings),
        percent(s.estimated_annual_yield.0),
        percent(s.estimated_emission_yield.0),
        r.jobs_completed,
        r.canaries_completed,
        r.wrong_results,
        r.missed_deadlines,
        format_amount(r.total_slashed),
        format_amount(r.total_earned),
    )
}
