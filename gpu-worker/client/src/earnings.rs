//! `gpu-worker earnings ACCOUNT`: an account's payments, rewards, slashes and stake movements over a range
//! of blocks, read from the chain's events, for accounting (`--csv`).
//!
//! Each row is one change seen by the account, with a signed amount in planck: income positive, costs
//! negative. Stake movements (bond, delegate, unbond, withdraw) are listed with the tokens moved and are kept
//! apart from income in the totals.
//!
//! A delegator is paid through the value of its pool shares, not by events of its own: for every block in
//! which a pool it holds shares in was rewarded or slashed, its row is the change of its position's value
//! (`ComputeApi::delegation`, active shares and unbonding claims) between the block's parent and the
//! block, less what it delegated and plus what it withdrew in that block. That is exact, rounding included,
//! and needs the state of both blocks: on a node that prunes state (the default keeps 256 blocks), only
//! recent blocks can be scanned; an archive node (`--state-pruning archive`) serves any range.

use std::collections::BTreeSet;

use compute_primitives::{JobDetails, JobId};
use futures::{StreamExt, TryStreamExt};

use crate::chain::api::runtime_types::pallet_compute_jobs::pallet::Event as JobsEvent;
use crate::chain::api::runtime_types::pallet_compute_jobs::types::SlashReason;
use crate::chain::api::runtime_types::pallet_compute_staking::pallet::Event as StakingEvent;
use crate::chain::api::runtime_types::pallet_compute_staking::types::RewardSplit;
use crate::chain::{api, AccountId, AtBlock, Balance, BlockEvents, BlockNumber, Chain};
use crate::keys::ss58;
use crate::units::{format_amount, UNIT};
use crate::Error;

/// Blocks whose events are fetched at once.
const PARALLEL_FETCHES: usize = 8;

/// What a row records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A provider was paid for a job (its commission and its share of the pool part). Income.
    JobPaymentReceived,
    /// A requester paid a provider for a job. Cost.
    JobPaymentMade,
    /// A requester's protocol fee was taken. Cost.
    JobFee,
    /// A provider was paid emission for its verified work. Income.
    Emission,
    /// A provider's bond was slashed. Cost.
    Slash,
    /// A requester received part of the funds slashed in its job. Income.
    SlashCompensation,
    /// A delegator's position gained from its provider's rewards. Income.
    DelegationReward,
    /// A delegator's position lost to its provider's slash. Cost.
    DelegationSlash,
    /// Tokens bonded by a provider (registration or `bond_extra`). Stake movement.
    Bonded,
    /// A provider started unbonding. Stake movement.
    Unbonded,
    /// A provider withdrew unbonded tokens. Stake movement.
    Withdrawn,
    /// A delegator delegated. Stake movement.
    Delegated,
    /// A delegator started unbonding. Stake movement.
    Undelegated,
    /// A delegator withdrew unbonded tokens. Stake movement.
    DelegationWithdrawn,
    /// A delegator took back tokens still warming up. Stake movement.
    DelegationCancelled,
}

impl Kind {
    /// The name in the CSV.
    pub fn name(self) -> &'static str {
        match self {
            Kind::JobPaymentReceived => "job_payment_received",
            Kind::JobPaymentMade => "job_payment_made",
            Kind::JobFee => "job_fee",
            Kind::Emission => "emission",
            Kind::Slash => "slash",
            Kind::SlashCompensation => "slash_compensation",
            Kind::DelegationReward => "delegation_reward",
            Kind::DelegationSlash => "delegation_slash",
            Kind::Bonded => "bonded",
            Kind::Unbonded => "unbonded",
            Kind::Withdrawn => "withdrawn",
            Kind::Delegated => "delegated",
            Kind::Undelegated => "undelegated",
            Kind::DelegationWithdrawn => "delegation_withdrawn",
            Kind::DelegationCancelled => "delegation_cancelled",
        }
    }

    /// Whether the row is income or cost (as opposed to tokens moving in or out of stake).
    pub fn is_income_or_cost(self) -> bool {
        !matches!(
            self,
            Kind::Bonded
                | Kind::Unbonded
                | Kind::Withdrawn
                | Kind::Delegated
                | Kind::Undelegated
                | Kind::DelegationWithdrawn
                | Kind::DelegationCancelled
        )
    }
}

/// One line of the export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Block number.
    pub block: BlockNumber,
    /// Block timestamp, ms since the Unix epoch.
    pub timestamp_ms: u64,
    /// What happened.
    pub kind: Kind,
    /// The job, when there is one.
    pub job: Option<JobId>,
    /// The other side: the payer, the provider, or the requester.
    pub counterparty: Option<AccountId>,
    /// Planck; income positive, costs negative; for stake movements, the tokens moved (positive).
    pub amount: i128,
    /// How the amount was made up.
    pub detail: String,
}

/// One event of the compute pallets, as subxt generates it from the metadata.
#[derive(Debug)]
enum ComputeEvent {
    /// `ComputeStaking`'s.
    Staking(StakingEvent),
    /// `ComputeJobs`'.
    Jobs(JobsEvent),
}

/// The compute pallets' events of a block, in order. An event of theirs that does not decode as this
/// client's metadata describes it is an error (a runtime this client was not built for), never skipped.
fn compute_events(events: &BlockEvents) -> Result<Vec<ComputeEvent>, Error> {
    let mut out = Vec::new();
    for event in events.iter() {
        let event = event.map_err(|e| Error::Rpc(e.to_string()))?;
        if !matches!(event.pallet_name(), "ComputeStaking" | "ComputeJobs") {
            continue;
        }
        match event.decode_as::<api::Event>().map_err(|e| Error::Mismatch(e.to_string()))? {
            api::Event::ComputeStaking(e) => out.push(ComputeEvent::Staking(e)),
            api::Event::ComputeJobs(e) => out.push(ComputeEvent::Jobs(e)),
            _ => {}
        }
    }
    Ok(out)
}

/// The total of a reward split.
fn split_total(split: &RewardSplit<Balance>) -> Balance {
    split.commission.saturating_add(split.to_bond).saturating_add(split.to_delegators)
}

/// What the provider keeps of a reward split: its commission and its self-bond's share.
fn split_own(split: &RewardSplit<Balance>) -> Balance {
    split.commission.saturating_add(split.to_bond)
}

/// A job submitted in the scanned block: its requester and fee.
struct SubmittedHere {
    job_id: JobId,
    requester: AccountId,
    fee: Balance,
}

/// A block's compute events and timestamp.
struct ScannedBlock {
    number: u64,
    at: AtBlock,
    timestamp_ms: u64,
    events: Vec<ComputeEvent>,
}

/// The chain at a block's parent, fetched when a row first needs it and then reused.
struct Parent<'a> {
    chain: &'a Chain,
    number: u64,
    at: tokio::sync::OnceCell<AtBlock>,
}

impl<'a> Parent<'a> {
    fn of(chain: &'a Chain, block: u64) -> Self {
        Self { chain, number: block.saturating_sub(1), at: tokio::sync::OnceCell::new() }
    }

    async fn at(&self) -> Result<&AtBlock, Error> {
        self.at.get_or_try_init(|| self.chain.at_number(self.number)).await
    }
}

/// The export of `account`'s rows in blocks `from ..= to`.
pub async fn earnings(chain: &Chain, account: &AccountId, from: u64, to: u64) -> Result<Vec<Row>, Error> {
    // The pools the account holds a position in when the range starts; those it joins are added as their
    // `Delegated` events are met.
    let start = chain.at_number(from.saturating_sub(1)).await.map_err(|e| pruned_hint(e, from))?;
    let mut pools: BTreeSet<AccountId> =
        chain.delegated_providers(&start, account).await?.into_iter().collect();

    let blocks = futures::stream::iter(from..=to)
        .map(|number| async move {
            let at = chain.at_number(number).await.map_err(|e| pruned_hint(e, number))?;
            let events = compute_events(&chain.events(&at).await?)?;
            let timestamp_ms = chain.timestamp(&at).await?;
            Ok::<_, Error>(ScannedBlock { number, at, timestamp_ms, events })
        })
        .buffered(PARALLEL_FETCHES)
        .try_collect::<Vec<_>>()
        .await?;

    let mut rows = Vec::new();
    for block in &blocks {
        rows.extend(block_rows(chain, account, block, &mut pools).await?);
    }
    Ok(rows)
}

fn pruned_hint(error: Error, number: u64) -> Error {
    Error::Rpc(format!(
        "cannot read block #{number} ({error}); a node that prunes state keeps only recent blocks: \
         narrow the range with --from, or ask an archive node (--state-pruning archive)"
    ))
}

/// The rows of one block, in event order; `pools` gains the providers the account delegates to here.
async fn block_rows(
    chain: &Chain,
    me: &AccountId,
    block: &ScannedBlock,
    pools: &mut BTreeSet<AccountId>,
) -> Result<Vec<Row>, Error> {
    // The jobs whose requester matters here, resolved at the parent block (where they were still open).
    let parent = Parent::of(chain, block.number);
    let mut requester_of = RequesterLookup::new(chain, &parent);
    let mut scan = BlockScan::new(*me, block);
    for event in &block.events {
        match event {
            ComputeEvent::Staking(event) => scan.staking(event, pools),
            ComputeEvent::Jobs(event) => scan.jobs(event, &mut requester_of).await?,
        }
    }
    scan.pool_changes(chain, &parent, pools).await?;
    // Payments name no job in their events: attach the job whose completion paid them, when the block
    // completed exactly one job (the usual case on a quiet chain). Ambiguous ones stay blank.
    attach_jobs(&mut scan.rows, &block.events);
    Ok(scan.rows)
}

/// The account's rows of one block as its events are met, and what the pools' changes need.
struct BlockScan<'a> {
    me: AccountId,
    block: &'a ScannedBlock,
    rows: Vec<Row>,
    /// The pools rewarded or slashed in this block.
    touched: BTreeSet<AccountId>,
    /// The account's own flows into and out of pools in this block.
    delegated_here: Vec<(AccountId, Balance)>,
    withdrawn_here: Vec<(AccountId, Balance)>,
    /// The jobs pallet's slash events say why; the staking pallet's, just before them, say how much.
    slashed_jobs: Vec<(JobId, AccountId, SlashReason)>,
}

impl<'a> BlockScan<'a> {
    fn new(me: AccountId, block: &'a ScannedBlock) -> Self {
        let slashed_jobs = block
            .events
            .iter()
            .filter_map(|event| match event {
                ComputeEvent::Jobs(JobsEvent::ProviderSlashed { job_id, provider, reason, .. }) => {
                    Some((*job_id, provider.0, *reason))
                }
                _ => None,
            })
            .collect();
        BlockScan {
            me,
            block,
            rows: Vec::new(),
            touched: BTreeSet::new(),
            delegated_here: Vec::new(),
            withdrawn_here: Vec::new(),
            slashed_jobs,
        }
    }

    fn push(
        &mut self,
        kind: Kind,
        job: Option<JobId>,
        counterparty: Option<AccountId>,
        amount: i128,
        detail: String,
    ) {
        self.rows.push(Row {
            block: self.block.number as BlockNumber,
            timestamp_ms: self.block.timestamp_ms,
            kind,
            job,
            counterparty,
            amount,
            detail,
        });
    }

    /// A staking event: payments, emission, slashes, and the account's stake movements.
    fn staking(&mut self, event: &StakingEvent, pools: &mut BTreeSet<AccountId>) {
        let me = self.me;
        match event {
            StakingEvent::Rewarded { provider, payer, split, job_id } => {
                let (provider, payer) = (provider.0, payer.0);
                self.touched.insert(provider);
                let detail = format!(
                    "commission {}, to bond {}, to delegators {}",
                    split.commission, split.to_bond, split.to_delegators
                );
                if provider == me {
                    let own = split_own(split) as i128;
                    self.push(Kind::JobPaymentReceived, Some(*job_id), Some(payer), own, detail.clone());
                }
                if payer == me {
                    let paid = -(split_total(split) as i128);
                    self.push(Kind::JobPaymentMade, Some(*job_id), Some(provider), paid, detail);
                }
            }
            StakingEvent::EmissionPaid { era, provider, work, split } => {
                self.touched.insert(provider.0);
                if provider.0 == me {
                    let detail = format!(
                        "era {era}, {work} work units; commission {}, to bond {}, to delegators {}",
                        split.commission, split.to_bond, split.to_delegators
                    );
                    self.push(Kind::Emission, None, None, split_own(split) as i128, detail);
                }
            }
            StakingEvent::Slashed { provider, requested, from_bond, from_delegators, job_id } => {
                self.touched.insert(provider.0);
                if provider.0 == me {
                    let job = self
                        .slashed_jobs
                        .iter()
                        .position(|(slashed_job, slashed, _)| *slashed == me && Some(*slashed_job) == *job_id)
                        .map(|i| self.slashed_jobs.remove(i));
                    let reason = match job.map(|(_, _, reason)| reason) {
                        Some(SlashReason::WrongResult) => "wrong result; ",
                        Some(SlashReason::MissedDeadline) => "missed deadline; ",
                        Some(SlashReason::RevealWithheld) => "reveal withheld; ",
                        None => "forced; ",
                    };
                    let detail = format!(
                        "{reason}asked {requested}, from bond {from_bond}, from delegators {from_delegators}"
                    );
                    let job = job.map(|(job_id, _, _)| job_id);
                    self.push(Kind::Slash, job, None, -(*from_bond as i128), detail);
                }
            }
            StakingEvent::ProviderRegistered { provider, bond, .. } if provider.0 == me => {
                self.push(Kind::Bonded, None, None, *bond as i128, "registration".into());
            }
            StakingEvent::Bonded { provider, amount } if provider.0 == me => {
                self.push(Kind::Bonded, None, None, *amount as i128, String::new());
            }
            StakingEvent::Unbonded { provider, amount, .. } if provider.0 == me => {
                self.push(Kind::Unbonded, None, None, *amount as i128, String::new());
            }
            StakingEvent::Withdrawn { provider, amount } if provider.0 == me => {
                self.push(Kind::Withdrawn, None, None, *amount as i128, String::new());
            }
            StakingEvent::Delegated { delegator, provider, amount, .. } if delegator.0 == me => {
                pools.insert(provider.0);
                self.delegated_here.push((provider.0, *amount));
                self.push(Kind::Delegated, None, Some(provider.0), *amount as i128, String::new());
            }
            StakingEvent::Undelegated { delegator, provider, amount, .. } if delegator.0 == me => {
                self.push(Kind::Undelegated, None, Some(provider.0), *amount as i128, String::new());
            }
            StakingEvent::DelegationWithdrawn { delegator, provider, amount } if delegator.0 == me => {
                self.withdrawn_here.push((provider.0, *amount));
                self.push(Kind::DelegationWithdrawn, None, Some(provider.0), *amount as i128, String::new());
            }
            StakingEvent::PendingDelegationCancelled { delegator, provider, amount } if delegator.0 == me => {
                self.withdrawn_here.push((provider.0, *amount));
                self.push(Kind::DelegationCancelled, None, Some(provider.0), *amount as i128, String::new());
            }
            _ => {}
        }
    }

    /// A jobs event: the account's fees as a requester, and its share of slashed funds.
    async fn jobs(&mut self, event: &JobsEvent, requester_of: &mut RequesterLookup<'_>) -> Result<(), Error> {
        match event {
            JobsEvent::JobCompleted { job_id, .. }
            | JobsEvent::JobFailed { job_id, .. }
            | JobsEvent::JobInconclusive { job_id, .. }
            | JobsEvent::JobExpired { job_id, .. } => {
                if let Some((requester, fee)) = requester_of.get(*job_id).await? {
                    if requester == self.me && fee > 0 {
                        self.push(Kind::JobFee, Some(*job_id), None, -(fee as i128), String::new());
                    }
                }
            }
            JobsEvent::JobCancelled { job_id, fee, .. } => {
                if let Some((requester, _)) = requester_of.get(*job_id).await? {
                    if requester == self.me && *fee > 0 {
                        self.push(Kind::JobFee, Some(*job_id), None, -(*fee as i128), "cancelled".into());
                    }
                }
            }
            JobsEvent::SlashedFundsSettled { job_id, reimbursed, .. } if *reimbursed > 0 => {
                if let Some((requester, _)) = requester_of.get(*job_id).await? {
                    if requester == self.me {
                        let amount = *reimbursed as i128;
                        self.push(Kind::SlashCompensation, Some(*job_id), None, amount, String::new());
                    }
                }
            }
            JobsEvent::JobSubmitted { job_id, requester, fee, .. } => {
                // A job submitted and cancelled in one block was not open at the parent: remember it.
                requester_of.submitted(SubmittedHere { job_id: *job_id, requester: requester.0, fee: *fee });
            }
            _ => {}
        }
        Ok(())
    }

    /// The change of the account's position in each pool rewarded or slashed here, less its own flows.
    async fn pool_changes(
        &mut self,
        chain: &Chain,
        parent: &Parent<'_>,
        pools: &BTreeSet<AccountId>,
    ) -> Result<(), Error> {
        let me = self.me;
        let touched: Vec<AccountId> = self.touched.intersection(pools).copied().collect();
        for provider in touched {
            let before =
                chain.delegation(parent.at().await?, &provider, &me).await?.map(|d| d.total()).unwrap_or(0);
            let after =
                chain.delegation(&self.block.at, &provider, &me).await?.map(|d| d.total()).unwrap_or(0);
            let flow = |flows: &[(AccountId, Balance)]| -> Balance {
                flows.iter().filter(|(p, _)| *p == provider).map(|(_, a)| a).sum()
            };
            let (flow_in, flow_out) = (flow(&self.delegated_here), flow(&self.withdrawn_here));
            let change = after as i128 - before as i128 - flow_in as i128 + flow_out as i128;
            if change != 0 {
                let kind = if change > 0 { Kind::DelegationReward } else { Kind::DelegationSlash };
                self.push(kind, None, Some(provider), change, format!("position {before} -> {after}"));
            }
        }
        Ok(())
    }
}

/// Fills the job of the payment rows when the block completed a single job; a delegator's reward too, when
/// nothing else (emission, a slash) changed a pool in that block.
fn attach_jobs(rows: &mut [Row], events: &[ComputeEvent]) {
    let only_payments = !events.iter().any(|event| {
        matches!(
            event,
            ComputeEvent::Staking(StakingEvent::EmissionPaid { .. } | StakingEvent::Slashed { .. })
        )
    });
    let completed: Vec<JobId> = events
        .iter()
        .filter_map(|event| match event {
            ComputeEvent::Jobs(JobsEvent::JobCompleted { job_id, .. }) => Some(*job_id),
            _ => None,
        })
        .collect();
    if let [only] = completed.as_slice() {
        for row in rows.iter_mut() {
            let paid_by_the_job = match row.kind {
                Kind::JobPaymentMade | Kind::JobPaymentReceived => true,
                Kind::DelegationReward => only_payments,
                _ => false,
            };
            if paid_by_the_job && row.job.is_none() {
                row.job = Some(*only);
            }
        }
    }
}

/// Who submitted a job and its fee: from its `JobSubmitted` event when it was submitted in this block
/// (and cancelled in it), otherwise from the job as it stood at the parent block.
struct RequesterLookup<'a> {
    chain: &'a Chain,
    parent: &'a Parent<'a>,
    submitted_here: Vec<SubmittedHere>,
}

impl<'a> RequesterLookup<'a> {
    fn new(chain: &'a Chain, parent: &'a Parent<'a>) -> Self {
        Self { chain, parent, submitted_here: Vec::new() }
    }

    fn submitted(&mut self, job: SubmittedHere) {
        self.submitted_here.push(job);
    }

    async fn get(&self, job: JobId) -> Result<Option<(AccountId, Balance)>, Error> {
        if let Some(submitted) = self.submitted_here.iter().find(|s| s.job_id == job) {
            return Ok(Some((submitted.requester, submitted.fee)));
        }
        Ok(match self.chain.job(self.parent.at().await?, job).await? {
            Some(JobDetails::Open(open)) => Some((open.requester, open.fee)),
            Some(JobDetails::Finished(record)) => Some((record.requester, 0)),
            None => None,
        })
    }
}

/// A signed planck amount in GPUC with all 12 decimals (`-1.500000000000`), for spreadsheets.
fn decimal(amount: i128) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    let planck = amount.unsigned_abs();
    format!("{sign}{}.{:012}", planck / UNIT, planck % UNIT)
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` of a Unix time in milliseconds (proleptic Gregorian, UTC).
pub fn iso8601(ms: u64) -> String {
    let (days, ms_of_day) = (ms / 86_400_000, ms % 86_400_000);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s, milli) =
        (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60, ms_of_day / 1_000 % 60, ms_of_day % 1_000);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}

/// Quotes a CSV field when it needs it.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The rows as CSV with a header line.
pub fn to_csv(rows: &[Row]) -> String {
    let mut out = String::from("block,timestamp,kind,job,counterparty,amount_planck,amount_gpuc,detail\n");
    for row in rows {
        let line = [
            row.block.to_string(),
            iso8601(row.timestamp_ms),
            row.kind.name().to_owned(),
            row.job.map(|j| j.to_string()).unwrap_or_default(),
            row.counterparty.as_ref().map(ss58).unwrap_or_default(),
            row.amount.to_string(),
            decimal(row.amount),
            field(&row.detail),
        ]
        .join(",");
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// A readable summary: totals per kind, and the net income.
pub fn summary(account: &AccountId, from: u64, to: u64, rows: &[Row]) -> String {
    let mut totals: std::collections::BTreeMap<Kind, (usize, i128)> = Default::default();
    for row in rows {
        let entry = totals.entry(row.kind).or_default();
        entry.0 += 1;
        entry.1 += row.amount;
    }
    let mut out = format!("{} in blocks #{from}..=#{to}: {} rows\n", ss58(account), rows.len());
    let signed = |amount: i128| {
        let text = format_amount(amount.unsigned_abs());
        if amount < 0 {
            format!("-{text}")
        } else {
            text
        }
    };
    let mut net = 0i128;
    for (kind, (count, amount)) in &totals {
        if kind.is_income_or_cost() {
            net += amount;
        }
        let note = if kind.is_income_or_cost() { "" } else { " (stake movement)" };
        out.push_str(&format!("  {:<22} {count:>5}  {}{note}\n", kind.name(), signed(*amount)));
    }
    out.push_str(&format!("  net income {}\n", signed(net)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_iso8601() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601(1_795_306_005_123), "2026-11-22T00:06:45.123Z");
    }

    fn row(kind: Kind) -> Row {
        Row {
            block: 1,
            timestamp_ms: 0,
            kind,
            job: None,
            counterparty: None,
            amount: 1,
            detail: String::new(),
        }
    }

    #[test]
    fn payments_get_the_job_only_when_the_block_completed_one() {
        use crate::chain::Static;
        use compute_primitives::ResultRoot;
        let completed = |job_id: JobId| {
            ComputeEvent::Jobs(JobsEvent::JobCompleted {
                job_id,
                result_root: Static(ResultRoot([7; 32])),
                winners: 1,
                paid: 1,
            })
        };
        let kinds = [Kind::JobPaymentReceived, Kind::DelegationReward, Kind::Delegated];
        let jobs_of = |events: &[ComputeEvent]| -> Vec<Option<JobId>> {
            let mut rows: Vec<Row> = kinds.iter().copied().map(row).collect();
            attach_jobs(&mut rows, events);
            rows.iter().map(|r| r.job).collect()
        };
        assert_eq!(jobs_of(&[completed(4)]), [Some(4), Some(4), None]);
        assert_eq!(jobs_of(&[completed(4), completed(5)]), [None, None, None], "ambiguous");
        let slash = ComputeEvent::Staking(StakingEvent::Slashed {
            provider: [1; 32].into(),
            requested: 1,
            from_bond: 1,
            from_delegators: 0,
            job_id: Some(4),
        });
        assert_eq!(jobs_of(&[completed(4), slash]), [Some(4), None, None], "the pool also lost to a slash");
    }

    #[test]
    fn csv_rows_carry_signed_amounts_and_quote_details() {
        let row = Row {
            block: 7,
            timestamp_ms: 0,
            kind: Kind::JobPaymentMade,
            job: Some(3),
            counterparty: Some([0; 32]),
            amount: -1_500_000_000_000,
            detail: "commission 1, to bond 2".into(),
        };
        let csv = to_csv(&[row]);
        let line = csv.lines().nth(1).unwrap();
        assert!(line.starts_with(
            "7,1970-01-01T00:00:00.000Z,job_payment_made,3,5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM,"
        ));
        assert!(line.ends_with(",-1500000000000,-1.500000000000,\"commission 1, to bond 2\""), "{line}");
        assert_eq!(decimal(1), "0.000000000001");
    }
}
