use super::*;
use frame_support::assert_noop;

/// An assigned job of ALICE whose replicas have all committed to `root(1)`: in its reveal phase.
fn revealing_job() -> (u64, Vec<AccountId>) {
    let job_id = super::commit_result::assigned_job();
    let providers = assigned(job_id);
    for p in &providers {
        commit(job_id, *p, root(1));
    }
    assert_eq!(job(job_id).phase, JobPhase::Revealing);
    System::reset_events();
    (job_id, providers)
}

#[test]
fn records_a_reveal() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, providers) = revealing_job();
        let before = Snapshot::all();
        reveal(job_id, providers[1], root(1));
        assert_eq!(
            events(),
            vec![Event::ResultRevealed { job_id, provider: providers[1], result_root: root(1) }]
        );
        let job = job(job_id);
        assert_eq!(job.replicas[1].revealed, Some(root(1)));
        assert_eq!(job.deadline, 2 + 5, "still the reveal deadline");
        before.assert_unchanged_except(&[]);
    });
}

#[test]
fn the_last_reveal_schedules_the_resolution_for_the_next_block() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, providers) = revealing_job();
        run_to_block(3);
        for p in &providers {
            reveal(job_id, *p, root(1));
        }
        let mut expected: Vec<_> = providers
            .iter()
            .map(|p| Event::ResultRevealed { job_id, provider: *p, result_root: root(1) })
            .collect();
        expected.push(Event::ResolutionScheduled { job_id, at: 4 });
        assert_eq!(events(), expected);
        assert_eq!(job(job_id).deadline, 4);
        assert_eq!(bucket(4), vec![job_id]);
        assert!(bucket(6).is_empty());
        run_to_block(4);
        assert!(!crate::Jobs::<Test>::contains_key(job_id), "resolved");
    });
}

#[test]
fn the_last_reveal_of_those_that_committed_is_enough() {
    ExtBuilder::default().build_and_execute(|| {
        let job_id = super::commit_result::assigned_job();
        let providers = assigned(job_id);
        commit(job_id, providers[0], root(1));
        commit(job_id, providers[1], root(1));
        run_to_block(7);
        assert_eq!(job(job_id).deadline, 12);
        reveal(job_id, providers[0], root(1));
        assert_eq!(job(job_id).deadline, 12);
        reveal(job_id, providers[1], root(1));
        assert_eq!(job(job_id).deadline, 8);
    });
}

#[test]
fn refuses_a_reveal_in_the_commit_phase() {
    ExtBuilder::default().build_and_execute(|| {
        let job_id = super::commit_result::assigned_job();
        let p = assigned(job_id)[0];
        commit(job_id, p, root(1));
        assert_noop!(Jobs::reveal_result(signed(p), job_id, root(1), salt(p)), Error::<Test>::NotRevealPhase);
    });
}

#[test]
fn refuses_an_unknown_job() {
    ExtBuilder::default().build_and_execute(|| {
        revealing_job();
        assert_noop!(Jobs::reveal_result(signed(P1), 9, root(1), salt(P1)), Error::<Test>::JobNotFound);
    });
}

#[test]
fn refuses_an_account_not_assigned() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, _) = revealing_job();
        assert_noop!(
            Jobs::reveal_result(signed(EVE), job_id, root(1), salt(EVE)),
            Error::<Test>::NotAssigned
        );
    });
}

#[test]
fn refuses_a_provider_that_did_not_commit() {
    ExtBuilder::default().build_and_execute(|| {
        let job_id = super::commit_result::assigned_job();
        let providers = assigned(job_id);
        commit(job_id, providers[0], root(1));
        run_to_block(7);
        assert_noop!(
            Jobs::reveal_result(signed(providers[2]), job_id, root(1), salt(providers[2])),
            Error::<Test>::NotCommitted
        );
    });
}

#[test]
fn refuses_a_second_reveal() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, providers) = revealing_job();
        reveal(job_id, providers[0], root(1));
        assert_noop!(
            Jobs::reveal_result(signed(providers[0]), job_id, root(1), salt(providers[0])),
            Error::<Test>::AlreadyRevealed
        );
    });
}

#[test]
fn refuses_a_reveal_that_does_not_match_the_commitment() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, providers) = revealing_job();
        let p = providers[0];
        for (root, salt) in [(root(2), salt(p)), (root(1), Salt([0; 32])), (root(1), salt(providers[1]))] {
            assert_noop!(
                Jobs::reveal_result(signed(p), job_id, root, salt),
                Error::<Test>::CommitmentMismatch
            );
        }
        // Nothing changed: the right values still go through.
        reveal(job_id, p, root(1));
    });
}

#[test]
fn a_copied_commitment_fails_at_reveal() {
    ExtBuilder::default().build_and_execute(|| {
        let job_id = super::commit_result::assigned_job();
        let [honest, copier, third] = assigned(job_id)[..] else { unreachable!() };
        let sealed = commitment_of(job_id, honest, root(1));
        assert_ok!(Jobs::commit_result(signed(honest), job_id, sealed));
        // The copier submits the honest provider's commitment as its own.
        assert_ok!(Jobs::commit_result(signed(copier), job_id, sealed));
        commit(job_id, third, root(1));
        // Even knowing the root and the salt, it cannot open a commitment bound to another account.
        assert_noop!(
            Jobs::reveal_result(signed(copier), job_id, root(1), salt(honest)),
            Error::<Test>::CommitmentMismatch
        );
        assert_noop!(
            Jobs::reveal_result(signed(copier), job_id, root(1), salt(copier)),
            Error::<Test>::CommitmentMismatch
        );
        reveal(job_id, honest, root(1));
        reveal(job_id, third, root(1));
    });
}
