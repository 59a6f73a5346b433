//! Real fees (the sound-economics review, finding 13): a per-byte fee, so that stuffing blocks with bytes
//! is not free, and a congestion multiplier that raises every fee while blocks stay fuller than the target
//! and never lowers it below the base rate.

mod common;

use compute_runtime::{
    configs::{RuntimeBlockWeights, TransactionByteFee},
    Runtime, RuntimeCall, TransactionPayment, MICRO_UNIT, UNIT,
};
use frame_support::{
    dispatch::{DispatchClass, GetDispatchInfo},
    weights::Weight,
};
use pallet_transaction_payment::Multiplier;
use sp_runtime::{traits::One, FixedPointNumber};

fn remark(len: usize) -> RuntimeCall {
    RuntimeCall::System(frame_system::Call::remark { remark: vec![0xaa; len] })
}

/// Runs `blocks` blocks from `first`, each filled to `fullness` (a share of the normal class) by weight,
/// and returns the multiplier after each.
fn run_blocks(first: u32, blocks: u32, fullness: sp_runtime::Perbill) -> Vec<Multiplier> {
    let normal = RuntimeBlockWeights::get().get(DispatchClass::Normal).max_total.expect("a normal limit");
    (first..first + blocks)
        .map(|n| {
            common::start_block(n, 1_000 + u64::from(n));
            // Ref time only: the limiting dimension.
            frame_system::Pallet::<Runtime>::register_extra_weight_unchecked(
                Weight::from_parts(fullness.mul_floor(normal.ref_time()), 0),
                DispatchClass::Normal,
            );
            common::finish_block();
            pallet_transaction_payment::NextFeeMultiplier::<Runtime>::get()
        })
        .collect()
}

#[test]
fn every_byte_of_a_transaction_is_paid_for() {
    common::externalities("development").execute_with(|| {
        common::start_block(1, 1_000);
        let fee = |len: usize| {
            let call = remark(len);
            TransactionPayment::compute_fee(len as u32, &call.get_dispatch_info(), 0)
        };
        let (small, large) = (fee(100), fee(100_100));
        assert!(large - small >= 100_000 * TransactionByteFee::get(), "{small} → {large}");
        assert_eq!(TransactionByteFee::get(), MICRO_UNIT);
        // Filling the normal share of a block (3.75 MiB) with bytes costs several GPUC (it cost 0.000004
        // GPUC at a planck per byte).
        let normal_bytes = 15 * 1024 * 1024 / 4;
        assert!(fee(normal_bytes) > 3 * UNIT, "{}", fee(normal_bytes));
    });
}

#[test]
fn the_fee_multiplier_follows_congestion_and_never_falls_below_one() {
    common::externalities("development").execute_with(|| {
        assert_eq!(pallet_transaction_payment::NextFeeMultiplier::<Runtime>::get(), Multiplier::one());
        let full = run_blocks(1, 200, sp_runtime::Perbill::from_percent(100));
        assert!(full.windows(2).all(|w| w[1] > w[0]), "full blocks raise the multiplier every block");
        // e^(0.0003 × 0.75 × 200) ≈ 1.046.
        let after = *full.last().unwrap();
        assert!(
            after > Multiplier::saturating_from_rational(104, 100)
                && after < Multiplier::saturating_from_rational(105, 100),
            "{after}"
        );
        let fee =
            |len: usize| TransactionPayment::compute_fee(len as u32, &remark(len).get_dispatch_info(), 0);
        let congested = fee(100);

        // e^(-0.0003 × 0.25 × n) brings 1.046 back to 1 in about 600 blocks.
        let quiet = run_blocks(201, 1_000, sp_runtime::Perbill::zero());
        assert!(quiet.windows(2).all(|w| w[1] <= w[0]), "empty blocks lower it");
        assert!(quiet.iter().all(|m| *m >= Multiplier::one()), "never below the base rate");
        assert_eq!(*quiet.last().unwrap(), Multiplier::one(), "back at the base rate");
        assert!(fee(100) < congested, "fees fall with the congestion");

        let below = run_blocks(1_201, 20, sp_runtime::Perbill::from_percent(20));
        assert!(below.iter().all(|m| *m == Multiplier::one()), "below the target it stays at the base rate");
    });
}
