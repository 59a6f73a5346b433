use super::*;
use frame_support::assert_noop;

#[test]
fn registers_a_kernel_and_holds_its_deposit() {
    ExtBuilder::default().build_and_execute(|| {
        let before = Snapshot::all();
        let deposit = KERNEL_BASE + KERNEL_PER_BYTE * KERNEL.len() as u128;
        assert_ok!(Jobs::register_kernel(signed(OWNER), bounded(KERNEL)));
        let kernel = kernel_id(KERNEL);
        assert_eq!(events(), vec![Event::KernelRegistered { kernel, owner: OWNER, deposit }]);
        assert_eq!(
            Kernels::<Test>::get(kernel),
            Some(KernelInfo { owner: OWNER, deposit, len: KERNEL.len() as u32, open_jobs: 0 })
        );
        assert_eq!(KernelCode::<Test>::get(kernel).unwrap().as_slice(), KERNEL);
        assert_eq!(deposit_hold(OWNER), deposit);
        assert_eq!(free(OWNER), INITIAL - deposit);
        assert_eq!(issuance(), before.issuance);
        // A second kernel from another owner: independent deposits.
        let other = b"@compute @workgroup_size(1) fn main() {}";
        assert_ok!(Jobs::register_kernel(signed(ALICE), bounded(other)));
        assert_eq!(deposit_hold(ALICE), KERNEL_BASE + KERNEL_PER_BYTE * other.len() as u128);
        assert_eq!(deposit_hold(OWNER), deposit);
    });
}

#[test]
fn refuses_a_kernel_registered_twice() {
    ExtBuilder::default().build_and_execute(|| {
        register_kernel();
        // By anyone: the id is the hash of the source.
        for who in [OWNER, ALICE] {
            assert_noop!(
                Jobs::register_kernel(signed(who), bounded(KERNEL)),
                Error::<Test>::KernelAlreadyRegistered
            );
        }
    });
}

#[test]
fn refuses_an_empty_kernel() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Jobs::register_kernel(signed(OWNER), bounded(b"")), Error::<Test>::EmptyKernel);
    });
}

#[test]
fn refuses_a_source_that_is_not_utf8() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(
            Jobs::register_kernel(signed(OWNER), bounded(&[b'f', b'n', 0xff, 0xfe])),
            Error::<Test>::InvalidUtf8
        );
    });
}

#[test]
fn refuses_what_the_owner_cannot_hold() {
    let deposit = KERNEL_BASE + KERNEL_PER_BYTE * KERNEL.len() as u128;
    // The hold keeps the existential deposit free.
    ExtBuilder::default().balance(OWNER, deposit).build_and_execute(|| {
        assert_noop!(
            Jobs::register_kernel(signed(OWNER), bounded(KERNEL)),
            Error::<Test>::InsufficientBalance
        );
    });
    ExtBuilder::default().balance(OWNER, deposit + ED).build_and_execute(|| {
        register_kernel();
        assert_eq!(free(OWNER), ED);
        assert_eq!(deposit_hold(OWNER), deposit);
    });
}

#[test]
fn refuses_unsigned_origins() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(
            Jobs::register_kernel(RuntimeOrigin::none(), bounded(KERNEL)),
            sp_runtime::DispatchError::BadOrigin
        );
    });
}
