//! Property test: random adversarial lifecycles. Up to 40 operations (submissions with random sizes,
//! windows and rewards, cancellations, providers going on and off line, blocks passing) over six providers
//! whose behaviour per job (and per dispute, as referees) is random: honest (online: acts in every block),
//! wrong (all wrong providers agree on one wrong root: colluding sybils), silent, or committing without
//! revealing; the dishonest ones act with random delays.
//!
//! After every step: `do_try_state` (escrow holds equal open escrows and fees, deadlines, queue,
//! assignments, kernel use, prune queue) and every provider's slots equal its assignments; a refused call
//! moved no balance. Money is conserved, from the events alone:
//!
//! - total issuance fell by exactly the burned part of the slashes plus the fees;
//! - the requesters hold what they had, less what they paid to winners and in fees, plus their share of
//!   slashes;
//! - the providers hold what they had, plus payments and their share of slashes, less what was slashed;
//! - what was slashed was exactly shared out or burned.
//!
//! The adversarial properties (DESIGN §7), from the events:
//!
//! - an honest provider is slashed only when the colluders' root won a dispute, which takes a strict
//!   majority of its randomly drawn panel;
//! - no slash exceeds `MAX_SLASH_PER_JOB` of the stake at risk;
//! - no requester ever holds more than it started with (nobody profits from a slash).
//!
//! The chain's canaries run among the same providers when the case turns them on (every 3 to 7 blocks):
//! they move no funds but slashes, which are burned.
//!
//! At the end every job finishes, every hold and slot is released, and every record is pruned.

use super::*;
use compute_primitives::{JobPhase, ResultRoot};
use frame_support::traits::fungible::Inspect;
use proptest::prelude::*;

const PROVIDERS: [AccountId; 6] = [P1, P2, P3, P4, P5, P6];
const REQUESTERS: [AccountId; 3] = [ALICE, BOB, 3];

#[derive(Debug, Clone)]
enum Op {
    Submit { requester: usize, replicas: u8, quorum_extra: u8, reward: u128, windows: (u32, u32, u32) },
    Cancel { pick: usize },
    Toggle { provider: usize },
    Advance { blocks: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..REQUESTERS.len(), 1u8..=4, 0u8..3, 10u128..400, (3u32..7, 2u32..6, 1u32..12)).prop_map(
            |(requester, replicas, quorum_extra, reward, windows)| Op::Submit {
                requester,
                replicas,
                quorum_extra,
                reward,
                windows
            }
        ),
        1 => any::<usize>().prop_map(|pick| Op::Cancel { pick }),
        1 => (0..PROVIDERS.len()).prop_map(|provider| Op::Toggle { provider }),
        4 => (1u8..4).prop_map(|blocks| Op::Advance { blocks }),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Behaviour {
    Honest,
    Wrong,
    Silent,
    CommitOnly,
}

fn coin(seed: u64, parts: impl codec::Encode) -> u8 {
    sp_io::hashing::blake2_256(&codec::Encode::encode(&(seed, parts)))[0]
}

fn behaviour(seed: u64, job_id: u64, provider: AccountId) -> Behaviour {
    match coin(seed, (b"behaviour", job_id, provider)) {
        0..150 => Behaviour::Honest,
        150..190 => Behaviour::Wrong,
        190..230 => Behaviour::Silent,
        _ => Behaviour::CommitOnly,
    }
}

/// Everything the events say moved.
#[derive(Default, Debug)]
struct Ledger {
    paid: Balance,
    to_requesters: Balance,
    burned: Balance,
    /// Referees of each disputed job.
    panels: BTreeMap<u64, Vec<AccountId>>,
    /// Slashes of honest providers, checked once their job ends: (job, provider).
    honest_slashed: Vec<(u64, AccountId)>,
    /// Roots that won, by job.
    won: BTreeMap<u64, ResultRoot>,
    /// Escrow of each job, from its submission.
    escrows: BTreeMap<u64, Balance>,
}

impl Ledger {
    fn read_events(&mut self, seed: u64) {
        for event in events() {
            match event {
                Event::JobCompleted { job_id, paid, result_root, .. } => {
                    self.paid += paid;
                    self.won.insert(job_id, result_root);
                }
                Event::JobInconclusive { paid, .. } => self.paid += paid,
                Event::JobSubmitted { job_id, escrow, .. } => {
                    self.escrows.insert(job_id, escrow);
                }
                // What the escrow did not refund compensated the assigned providers.
                Event::JobCancelled { job_id, refunded, .. } => self.paid += self.escrows[&job_id] - refunded,
                Event::SlashedFundsSettled { slashed, reimbursed, burned, .. } => {
                    assert_eq!(slashed, reimbursed + burned);
                    self.to_requesters += reimbursed;
                    self.burned += burned;
                }
                Event::DisputeOpened { job_id, referees, .. } => {
                    self.panels.insert(job_id, referees.into_inner());
                }
                Event::ProviderSlashed { job_id, provider, amount, .. } => {
                    assert!(
                        amount <= crate::MAX_SLASH_PER_JOB.mul_floor(STAKE),
                        "a slash of {amount} exceeds the cap"
                    );
                    if behaviour(seed, job_id, provider) == Behaviour::Honest {
                        self.honest_slashed.push((job_id, provider));
                    }
                }
                Event::RewardFailed { .. } => panic!("the mock pays every reward"),
                _ => {}
            }
        }
        // An honest provider acts at once, so it only loses a dispute that the colluders' root won with a
        // majority of its panel.
        for (job_id, provider) in &self.honest_slashed {
            assert_eq!(self.won.get(job_id), Some(&root(2)), "honest {provider} slashed in job {job_id}");
            let panel = self.panels.get(job_id).expect("a wrong root wins only a dispute");
            let colluders =
                panel.iter().filter(|r| behaviour(seed, *job_id, **r) == Behaviour::Wrong).count();
            assert!(colluders * 2 > panel.len(), "job {job_id}: the colluders held no majority of {panel:?}");
        }
    }
}

fn total(accounts: &[AccountId]) -> Balance {
    accounts.iter().map(Balances::total_balance).sum()
}

fn balances() -> Vec<(Balance, Balance, Balance)> {
    REQUESTERS.iter().chain(PROVIDERS.iter()).map(|a| (free(*a), escrow_hold(*a), deposit_hold(*a))).collect()
}

/// Lets every provider act on its open jobs according to its behaviour (with random delays).
fn act(seed: u64) {
    let now = System::block_number();
    let open: Vec<(u64, Job<Test>)> = crate::Jobs::<Test>::iter().collect();
    for (job_id, job) in open {
        for replica in job.replicas.iter() {
            let p = replica.provider;
            let b = behaviour(seed, job_id, p);
            if b != Behaviour::Honest && coin(seed, (b"delay", job_id, p, now)) < 80 {
                continue;
            }
            let result = if b == Behaviour::Wrong { root(2) } else { root(1) };
            match job.phase {
                JobPhase::Committing if replica.commitment.is_none() && b != Behaviour::Silent => {
                    commit(job_id, p, result)
                }
                JobPhase::Revealing
                    if replica.commitment.is_some()
                        && replica.revealed.is_none()
                        && matches!(b, Behaviour::Honest | Behaviour::Wrong) =>
                {
                    reveal(job_id, p, result)
                }
                _ => {}
            }
        }
    }
}

fn check(ledger: &mut Ledger, seed: u64, issuance0: Balance, requesters0: Balance, providers0: Balance) {
    ledger.read_events(seed);
    check_invariants();
    let fees = FeesCollected::get();
    assert_eq!(
        issuance(),
        issuance0 - ledger.burned - fees,
        "issuance moves only by burned slashes and fees"
    );
    assert_eq!(
        total(&REQUESTERS),
        requesters0 - ledger.paid - fees + ledger.to_requesters,
        "requesters: less payments and fees, plus the referees' costs paid back"
    );
    for who in REQUESTERS {
        assert!(Balances::total_balance(&who) <= INITIAL, "requester {who} gained");
    }
    assert_eq!(
        total(&PROVIDERS),
        providers0 + ledger.paid - TotalSlashed::get(),
        "providers: plus payments, less slashes"
    );
    assert_eq!(
        TotalSlashed::get(),
        ledger.to_requesters + ledger.burned,
        "slashed funds are paid back to requesters or burned"
    );
    assert_eq!(SlashesBurned::get(), ledger.burned);
    assert_eq!(Balances::total_balance(&OWNER), INITIAL);
    assert_eq!(Balances::total_balance(&Jobs::canary_account()), 0, "nobody is paid through a canary");
}

fn run(ops: Vec<Op>, seed: u64, canaries: Option<u32>) {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        if let Some(interval) = canaries {
            assert_ok!(Jobs::register_kernel(signed(OWNER), bounded(CANARY_KERNEL)));
            assert_ok!(Jobs::set_canary_interval(RuntimeOrigin::root(), interval));
        }
        for p in PROVIDERS {
            register_provider(p, MockProvider { capacity: 3, ..provider(STAKE) });
        }
        let issuance0 = issuance();
        let requesters0 = total(&REQUESTERS);
        let providers0 = total(&PROVIDERS);
        let mut ledger = Ledger::default();
        for op in ops {
            match op {
                Op::Submit { requester, replicas, quorum_extra, reward, windows } => {
                    let mut s = spec(kernel);
                    s.replicas = replicas;
                    s.quorum = (replicas / 2 + 1 + quorum_extra).min(replicas);
                    s.reward_per_replica = reward;
                    (s.commit_window, s.reveal_window, s.queue_window) = windows;
                    let before = balances();
                    if Jobs::submit_job(signed(REQUESTERS[requester]), Box::new(s)).is_err() {
                        assert_eq!(balances(), before, "a refused submission moved funds");
                    }
                }
                Op::Cancel { pick } => {
                    let open: Vec<(u64, AccountId)> =
                        crate::Jobs::<Test>::iter().map(|(id, job)| (id, job.requester)).collect();
                    if !open.is_empty() {
                        let (job_id, requester) = open[pick % open.len()];
                        let before = balances();
                        if Jobs::cancel_job(signed(requester), job_id).is_err() {
                            assert_eq!(balances(), before, "a refused cancellation moved funds");
                        }
                    }
                }
                Op::Toggle { provider } => {
                    let p = PROVIDERS[provider];
                    set_active(p, !Registry::get(p).unwrap().active);
                }
                Op::Advance { blocks } => {
                    for _ in 0..blocks {
                        run_to_block(System::block_number() + 1);
                        check(&mut ledger, seed, issuance0, requesters0, providers0);
                        act(seed);
                    }
                }
            }
            check(&mut ledger, seed, issuance0, requesters0, providers0);
        }

        // Everything ends: queue windows, commit and reveal windows, with every provider back on line (and
        // no new canaries).
        CanaryInterval::<Test>::put(0);
        for p in PROVIDERS {
            set_active(p, true);
        }
        let end = System::block_number() + 60;
        while System::block_number() < end {
            run_to_block(System::block_number() + 1);
            act(seed);
            check(&mut ledger, seed, issuance0, requesters0, providers0);
        }
        assert_eq!(crate::Jobs::<Test>::iter().count(), 0, "every job finished");
        assert!(Queue::<Test>::get().is_empty());
        for who in REQUESTERS {
            assert_eq!(escrow_hold(who), 0);
        }
        for p in PROVIDERS {
            assert_eq!(slots(p), 0);
        }
        // And every record is pruned, a few per block.
        let end = System::block_number() + RETENTION + 30;
        run_to_block(end);
        check(&mut ledger, seed, issuance0, requesters0, providers0);
        assert_eq!(Results::<Test>::iter().count(), 0, "every record pruned");
        let jobs = NextJobId::<Test>::get();
        assert_eq!((PruneHead::<Test>::get(), PruneTail::<Test>::get()), (jobs, jobs));
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_lifecycles_conserve_funds(
        ops in prop::collection::vec(op(), 1..40),
        seed in any::<u64>(),
        canaries in prop::option::of(3u32..8),
    ) {
        run(ops, seed, canaries);
    }
}
