use super::*;
use frame_support::assert_noop;

/// A kernel, three providers and an assigned job of ALICE.
pub fn assigned_job() -> u64 {
    let kernel = register_kernel();
    providers(&[P1, P2, P3]);
    let job_id = submit(ALICE, spec(kernel));
    System::reset_events();
    job_id
}

#[test]
fn records_a_commitment() {
    ExtBuilder::default().build_and_execute(|| {
        let job_id = assigned_job();
        let [a, b, _] = assigned(job_id)[..] else { unreachable!() };
        let before = Snapshot::all();
        let sealed = commitment_of(job_id, a, root(1));
        assert_ok!(Jobs::commit_result(signed(a), job_id, sealed));
        assert_eq!(events(), vec![Event::ResultCommitted { job_id, provider: a }]);
        let job = job(job_id);
        assert_eq!(job.replicas[0].commitment, Some(sealed));
        assert_eq!(job.phase, JobPhase::Committing);
        assert_eq!(job.deadline, 7);
        commit(job_id, b, root(1));
        assert_eq!(crate::Jobs::<Test>::get(job_id).unwrap().phase, JobPhase::Committing);
        before.assert_unchanged_except(&[]);
        assert_eq!(issuance(), before.issuance);
    });
}

#[test]
fn the_last_commitment_starts_the_reveal_phase() {
    ExtBuilder::default().build_and_execute(|| {
        let job_id = assigned_job();
        let providers = assigned(job_id);
        run_to_block(3);
        for p in &providers {
            commit(job_id, *p, root(1));
        }
        assert_eq!(
            events(),
            vec![
                Event::ResultCommitted { job_id, provider: providers[0] },
                Event::ResultCommitted { job_id, provider: providers[1] },
                Event::ResultCommitted { job_id, provider: providers[2] },
                Event::RevealPhaseStarted { job_id, reveal_deadline: 3 + 5 },
            ]
        );
        let job = job(job_id);
        assert_eq!(job.phase, JobPhase::Revealing);
        assert_eq!(job.deadline, 8);
        assert_eq!(bucket(8), vec![job_id]);
        assert!(bucket(7).is_empty(), "moved out of the commit deadline's block");
    });
}

#[test]
fn refuses_an_unknown_job() {
    ExtBuilder::default().build_and_execute(|| {
        assigned_job();
        assert_noop!(
            Jobs::commit_result(signed(P1), 7, commitment_of(7, P1, root(1))),
            Error::<Test>::JobNotFound
        );
    });
}

#[test]
fn refuses_an_account_not_assigned() {
    ExtBuilder::default().build_and_execute(|| {
        let job_id = assigned_job();
        for who in [EVE, ALICE] {
            assert_noop!(
                Jobs::commit_result(signed(who), job_id, commitment_of(job_id, who, root(1))),
                Error::<Test>::NotAssigned
            );
        }
    });
}

#[test]
fn refuses_a_second_commitment() {
    ExtBuilder::default().build_and_execute(|| {
        let job_id = assigned_job();
        let p = assigned(job_id)[0];
        commit(job_id, p, root(1));
        assert_noop!(
            Jobs::commit_result(signed(p), job_id, commitment_of(job_id, p, root(2))),
            Error::<Test>::AlreadyCommitted
        );
        assert_eq!(job(job_id).replicas[0].commitment, Some(commitment_of(job_id, p, root(1))));
    });
}

#[test]
fn refuses_a_commitment_outside_the_commit_phase() {
    ExtBuilder::default().build_and_execute(|| {
        let job_id = assigned_job();
        // Queued.
        set_active(P1, false);
        let queued = submit(BOB, spec(crate::Jobs::<Test>::get(job_id).unwrap().spec.kernel));
        assert_eq!(job(queued).phase, JobPhase::Queued);
        assert_noop!(
            Jobs::commit_result(signed(P1), queued, commitment_of(queued, P1, root(1))),
            Error::<Test>::NotCommitPhase
        );
        // Revealing: also for a provider that never committed.
        let providers = assigned(job_id);
        commit(job_id, providers[0], root(1));
        run_to_block(7);
        assert_eq!(job(job_id).phase, JobPhase::Revealing);
        for p in &providers {
            assert_noop!(
                Jobs::commit_result(signed(*p), job_id, commitment_of(job_id, *p, root(1))),
                Error::<Test>::NotCommitPhase
            );
        }
    });
}
