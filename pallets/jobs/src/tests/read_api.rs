//! The read functions of the runtime API, and the genesis kernels.

use super::*;
use compute_primitives::{JobDetails, JobRecord, JobResult, OpenJob, Replica};
use sp_runtime::BuildStorage;

#[test]
fn job_details_of_open_finished_and_pruned_jobs() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3]);
        let s = spec(kernel);
        let job_id = submit(ALICE, s.clone());
        let ps = assigned(job_id);
        commit(job_id, ps[0], root(1));
        let expected = OpenJob {
            requester: ALICE,
            spec: s.rebound(),
            escrow: ESCROW,
            fee: FEE,
            deposit: Jobs::deposit_for(&s).unwrap(),
            phase: JobPhase::Committing,
            submitted_at: 1,
            deadline: 7,
            replicas: ps
                .iter()
                .enumerate()
                .map(|(i, p)| Replica {
                    provider: *p,
                    commitment: (i == 0).then(|| commitment_of(job_id, *p, root(1))),
                    revealed: None,
                })
                .collect(),
        };
        assert_eq!(Jobs::job_details(job_id), Some(JobDetails::Open(expected)));
        // The worker decodes the stored spec with unbounded limits.
        let stored = codec::Encode::encode(&job(job_id).spec);
        assert_eq!(
            <compute_primitives::UnboundedJobSpec<Balance> as codec::Decode>::decode(&mut &stored[..])
                .unwrap(),
            s.rebound()
        );
        assert_eq!(Jobs::job_details(job_id + 1), None);

        run_to_block(7);
        run_to_block(12);
        assert_eq!(
            Jobs::job_details(job_id),
            Some(JobDetails::Finished(JobRecord {
                requester: ALICE,
                kernel,
                outcome: JobResult::Failed,
                finished_at: 12,
                winners: Default::default(),
            }))
        );
        run_to_block(12 + RETENTION);
        assert_eq!(Jobs::job_details(job_id), None);
    });
}

#[test]
fn assignments_of_a_provider() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3]);
        let jobs: Vec<u64> = (0..3).map(|_| submit(ALICE, spec(kernel))).collect();
        for p in [P1, P2, P3] {
            assert_eq!(Jobs::assignments_of(&p), jobs);
        }
        assert_eq!(Jobs::assignments_of(&P4), Vec::<u64>::new());
        assert_ok!(Jobs::cancel_job(signed(ALICE), jobs[1]));
        assert_eq!(Jobs::assignments_of(&P2), vec![jobs[0], jobs[2]]);
    });
}

#[test]
fn quotes_use_the_same_checks_as_submission() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        let mut s = spec(kernel);
        assert!(Jobs::validate_spec(&s).is_ok());
        assert_eq!(Jobs::escrow_for(&s), Some(ESCROW + FEE + Jobs::deposit_for(&s).unwrap()));
        s.quorum = 1;
        assert!(matches!(Jobs::validate_spec(&s), Err(Error::<Test>::InvalidQuorum)));
        assert!(matches!(Jobs::validate_spec(&spec(kernel_id(b"x"))), Err(Error::<Test>::KernelNotFound)));
    });
}

#[test]
fn genesis_registers_the_builtin_kernels() {
    let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
    pallet_balances::GenesisConfig::<Test> { balances: vec![(OWNER, INITIAL)], ..Default::default() }
        .assimilate_storage(&mut storage)
        .unwrap();
    crate::GenesisConfig::<Test> {
        kernels: vec![(OWNER, KERNEL.to_vec()), (OWNER, b"fn main() {}".to_vec())],
        canary_interval: 9,
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    sp_io::TestExternalities::new(storage).execute_with(|| {
        let deposit = |len: usize| KERNEL_BASE + KERNEL_PER_BYTE * len as u128;
        assert_eq!(Kernels::<Test>::get(kernel_id(KERNEL)).unwrap().deposit, deposit(KERNEL.len()));
        assert!(KernelCode::<Test>::contains_key(kernel_id(b"fn main() {}")));
        assert_eq!(deposit_hold(OWNER), deposit(KERNEL.len()) + deposit(12));
        assert_eq!(CanaryInterval::<Test>::get(), 9, "genesis schedules the canaries");
        check_invariants();
    });
}
