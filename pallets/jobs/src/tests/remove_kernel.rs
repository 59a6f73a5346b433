use super::*;
use frame_support::assert_noop;

#[test]
fn removes_a_kernel_and_releases_its_deposit() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        let deposit = deposit_hold(OWNER);
        let before = Snapshot::all();
        assert_ok!(Jobs::remove_kernel(signed(OWNER), kernel));
        assert_eq!(events(), vec![Event::KernelRemoved { kernel, owner: OWNER, deposit }]);
        assert!(!Kernels::<Test>::contains_key(kernel));
        assert!(!KernelCode::<Test>::contains_key(kernel));
        assert_eq!(deposit_hold(OWNER), 0);
        assert_eq!(free(OWNER), before.free[&OWNER] + deposit);
        assert_eq!(free(OWNER), INITIAL);
        assert_eq!(issuance(), before.issuance);
        // It can be registered again.
        register_kernel();
    });
}

#[test]
fn refuses_an_unknown_kernel() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Jobs::remove_kernel(signed(OWNER), kernel_id(KERNEL)), Error::<Test>::KernelNotFound);
    });
}

#[test]
fn refuses_anyone_but_the_owner() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        assert_noop!(Jobs::remove_kernel(signed(ALICE), kernel), Error::<Test>::NotKernelOwner);
    });
}

#[test]
fn refuses_a_kernel_in_use_until_its_jobs_end() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3]);
        let job_id = submit(ALICE, spec(kernel));
        assert_noop!(Jobs::remove_kernel(signed(OWNER), kernel), Error::<Test>::KernelInUse);
        // A queued job uses it too.
        set_active(P1, false);
        let queued = submit(BOB, spec(kernel));
        assert_eq!(job(queued).phase, JobPhase::Queued);
        assert_eq!(Kernels::<Test>::get(kernel).unwrap().open_jobs, 2);
        assert_ok!(Jobs::cancel_job(signed(ALICE), job_id));
        assert_noop!(Jobs::remove_kernel(signed(OWNER), kernel), Error::<Test>::KernelInUse);
        assert_ok!(Jobs::cancel_job(signed(BOB), queued));
        assert_eq!(Kernels::<Test>::get(kernel).unwrap().open_jobs, 0);
        assert_ok!(Jobs::remove_kernel(signed(OWNER), kernel));
    });
}
