//! The pallets whose benchmarks the node's `benchmark pallet` command runs.

// `define_benchmarks!` expands to a macro that is only invoked inside this crate (by `apis`), so the pallets
// are named through `crate::`.
#![allow(clippy::crate_in_macro_def)]

frame_benchmarking::define_benchmarks!(
    [frame_benchmarking::baseline, BaselineBench::<Runtime>]
    [frame_system, SystemBench::<Runtime>]
    [pallet_balances, crate::Balances]
    [pallet_timestamp, crate::Timestamp]
    [pallet_sudo, crate::Sudo]
    [pallet_compute_staking, crate::ComputeStaking]
    [pallet_compute_jobs, crate::ComputeJobs]
);
