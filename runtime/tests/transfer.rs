//! A balance transfer executes through the real runtime (`frame_executive`) and pays its fee.

mod common;

use codec::Encode;
use compute_runtime::{
    extrinsic::signed_extrinsic, Balances, Executive, Runtime, RuntimeCall, RuntimeEvent, TransactionPayment,
    UNIT,
};
use frame_support::dispatch::GetDispatchInfo;
use sp_keyring::Sr25519Keyring;
use sp_runtime::transaction_validity::{InvalidTransaction, TransactionValidityError};

fn transfer_to_bob(amount: u128) -> RuntimeCall {
    RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
        dest: Sr25519Keyring::Bob.to_account_id().into(),
        value: amount,
    })
}

#[test]
fn signed_transfer_moves_funds_and_charges_its_fee() {
    common::externalities("development").execute_with(|| {
        let (alice, bob) = (Sr25519Keyring::Alice.to_account_id(), Sr25519Keyring::Bob.to_account_id());
        let (alice_before, bob_before) = (Balances::free_balance(&alice), Balances::free_balance(&bob));
        let issuance_before = Balances::total_issuance();

        common::start_block(1, 1_000);
        let call = transfer_to_bob(10 * UNIT);
        let extrinsic = signed_extrinsic(call, &Sr25519Keyring::Alice.pair(), 0, common::signing_context());
        let len = extrinsic.encoded_size() as u32;
        // The extrinsic's dispatch info includes the weight of its transaction extensions.
        let expected_fee = TransactionPayment::compute_fee(len, &extrinsic.get_dispatch_info(), 0);
        Executive::apply_extrinsic(extrinsic).expect("valid").expect("dispatched");

        let fee =
            common::events()
                .into_iter()
                .find_map(|event| match event {
                    RuntimeEvent::TransactionPayment(
                        pallet_transaction_payment::Event::TransactionFeePaid { who, actual_fee, .. },
                    ) if who == alice => Some(actual_fee),
                    _ => None,
                })
                .expect("the fee payment is reported");
        common::finish_block();

        assert!(fee > 0, "a signed transfer is not free");
        assert_eq!(fee, expected_fee, "the fee is what the fee formula says");
        assert_eq!(Balances::free_balance(&bob), bob_before + 10 * UNIT);
        assert_eq!(Balances::free_balance(&alice), alice_before - 10 * UNIT - fee);
        assert_eq!(Balances::total_issuance(), issuance_before - fee, "fees are burned");
        assert_eq!(frame_system::Pallet::<Runtime>::account_nonce(&alice), 1);
    });
}

#[test]
fn replayed_and_forged_transfers_are_refused_and_change_nothing() {
    common::externalities("development").execute_with(|| {
        let alice = Sr25519Keyring::Alice.to_account_id();
        common::start_block(1, 1_000);
        let first = signed_extrinsic(
            transfer_to_bob(UNIT),
            &Sr25519Keyring::Alice.pair(),
            0,
            common::signing_context(),
        );
        Executive::apply_extrinsic(first.clone()).expect("valid").expect("dispatched");
        let alice_after_first = Balances::free_balance(&alice);

        // The same transaction again: its nonce is used.
        assert_eq!(
            Executive::apply_extrinsic(first),
            Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
        );

        // Bob's signature over the payload, presented as Alice's.
        let by_bob = signed_extrinsic(
            transfer_to_bob(UNIT),
            &Sr25519Keyring::Bob.pair(),
            1,
            common::signing_context(),
        );
        let sp_runtime::generic::Preamble::Signed(_, bobs_signature, extension) = by_bob.preamble else {
            panic!("signed_extrinsic makes signed extrinsics");
        };
        let forged = compute_runtime::UncheckedExtrinsic::new_signed(
            by_bob.function,
            compute_runtime::Address::Id(alice.clone()),
            bobs_signature,
            extension,
        );
        assert_eq!(
            Executive::apply_extrinsic(forged),
            Err(TransactionValidityError::Invalid(InvalidTransaction::BadProof))
        );
        assert_eq!(Balances::free_balance(&alice), alice_after_first, "a refused transaction costs nothing");
    });
}
