//! The delegator's commands: stake behind a provider, unbond, withdraw, and read a provider's record and
//! estimated yield (what a delegator chooses by).

use crate::chain::{AccountId, Call, Chain, ChainError, ProviderStats};
use crate::keys::{ss58, Identity};
use crate::units::format_amount;

/// `gpu-worker delegate PROVIDER AMOUNT`.
pub async fn delegate(
    chain: &Chain,
    who: &Identity,
    provider: AccountId,
    amount: u128,
) -> Result<String, ChainError> {
    chain.submit_and_watch(who.keypair(), &Call::Delegate { provider, amount }).await?;
    Ok(format!("{} delegated {} to {}", who.ss58(), format_amount(amount), ss58(&provider)))
}

/// `gpu-worker undelegate PROVIDER AMOUNT`: starts unbonding (slashable until the unbonding period ends).
pub async fn undelegate(
    chain: &Chain,
    who: &Identity,
    provider: AccountId,
    amount: u128,
) -> Result<String, ChainError> {
    chain.submit_and_watch(who.keypair(), &Call::Undelegate { provider, amount }).await?;
    Ok(format!(
        "{} started unbonding {} from {}; `gpu-worker withdraw-delegation` releases it after the unbonding period",
        who.ss58(),
        format_amount(amount),
        ss58(&provider)
    ))
}

/// `gpu-worker withdraw-delegation PROVIDER`: releases unlocked unbonding claims.
pub async fn withdraw(chain: &Chain, who: &Identity, provider: AccountId) -> Result<String, ChainError> {
    chain.submit_and_watch(who.keypair(), &Call::WithdrawDelegation { provider }).await?;
    Ok(format!("{} withdrew its unlocked delegation to {}", who.ss58(), ss58(&provider)))
}

/// `gpu-worker rewards PROVIDER`: the provider's stake, terms, earnings, record and estimated yield.
pub async fn rewards(chain: &Chain, provider: AccountId) -> Result<String, ChainError> {
    let at = chain.at_best().await?;
    match chain.provider_stats(&at, &provider).await? {
        None => Ok(format!("{} is not a provider\n", ss58(&provider))),
        Some(stats) => Ok(describe(&provider, &stats)),
    }
}

fn percent(ppb: u32) -> String {
    format!("{:.2}%", f64::from(ppb) / 10_000_000.0)
}

fn describe(provider: &AccountId, s: &ProviderStats) -> String {
    let status = match (s.active, s.chilled_because) {
        (true, _) => "active".to_owned(),
        (false, Some(reason)) => format!("chilled ({reason:?})"),
        (false, None) => "chilled".to_owned(),
    };
    let r = &s.reputation;
    format!(
        "provider {}: {status}, registered at block #{}\n  \
         bond {}, delegated {}, commission {}, ask {} per replica, {} MiB, slots {}/{}\n  \
         earned by the pool since registration {}, estimated annual yield {} (after commission)\n  \
         jobs completed {}, wrong results {}, missed deadlines {}, slashed {}, earned {}\n",
        ss58(provider),
        s.registered_at,
        format_amount(s.bond),
        format_amount(s.delegated),
        percent(s.commission_ppb),
        format_amount(s.ask),
        s.vram_mib,
        s.slots_taken,
        s.max_concurrent_jobs,
        format_amount(s.pool_earnings),
        percent(s.estimated_annual_yield_ppb),
        r.jobs_completed,
        r.wrong_results,
        r.missed_deadlines,
        format_amount(r.total_slashed),
        format_amount(r.total_earned),
    )
}
