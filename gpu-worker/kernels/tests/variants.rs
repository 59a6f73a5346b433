//! The kernel library's device variants run only as the worker's own programs: sent as a job, altered or
//! not, they are refused like any job using their extensions; and the library's programs run on a device
//! recreated after a loss (pipelines and pooled buffers rebuilt).

mod common;

use std::sync::Arc;

use common::{check_against_reference, executor};
use compute_executor::exec::{Outcome, Validation};
use compute_kernels::{BuiltinJob, Matmul, PrefixSum};
use compute_primitives::failure::FailureReason;

/// The variant's exact source, sent as a job, is refused like any job using subgroups, on every device:
/// otherwise providers on lavapipe would run it while every other provider refuses it. The worker's own
/// program of the same kernel still runs (where the device has the traits). A copy of the variant with one
/// byte changed is a different kernel and is refused too.
#[test]
fn a_device_variant_sent_as_a_job_is_refused() {
    let mut ex = executor();
    let job = BuiltinJob::Matmul(Matmul { m: 8, k: 8, n: 8 });
    let mut program = job.program(job.default_inputs(1)).unwrap();
    program.wgsl = Arc::from(compute_kernels::MATMUL_CPU_WGSL);
    program.passes[0].workgroups = [1, 1, 1];
    let Outcome::Failed(failure) = ex.run(&program).unwrap() else {
        panic!("the variant's source ran as a job");
    };
    assert_eq!(failure.reason, FailureReason::InvalidWgsl, "{}", failure.message);
    let own = job.program_for_device(job.default_inputs(1), ex.device_traits().unwrap()).unwrap();
    assert!(matches!(ex.run_with(&own, Validation::DeviceVariant).unwrap(), Outcome::Completed(_)));
    // After the trusted run, the job is still refused (validation results are kept per kind of run).
    assert!(matches!(ex.run(&program).unwrap(), Outcome::Failed(_)));

    let mut altered = program.clone();
    altered.wgsl = Arc::from(compute_kernels::MATMUL_CPU_WGSL.replacen("// ", "//  ", 1));
    let Outcome::Failed(failure) = ex.run(&altered).unwrap() else {
        panic!("an altered variant ran as a job");
    };
    assert_eq!(failure.reason, FailureReason::InvalidWgsl, "{}", failure.message);
}

#[test]
fn the_library_runs_on_a_device_recreated_after_a_loss() {
    let mut ex = executor();
    let matmul = BuiltinJob::Matmul(Matmul { m: 40, k: 50, n: 60 });
    check_against_reference(&mut ex, matmul, matmul.default_inputs(1));
    ex.destroy_device_for_tests();
    check_against_reference(&mut ex, matmul, matmul.default_inputs(1));
    let scan = BuiltinJob::PrefixSum(PrefixSum { n: 5000 });
    check_against_reference(&mut ex, scan, scan.default_inputs(2));
    assert_eq!(ex.stats().device_recreations, 1, "{:?}", ex.stats());
}
