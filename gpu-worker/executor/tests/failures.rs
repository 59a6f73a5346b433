//! Bad jobs yield the canonical failure of their reason (DESIGN §3.8), and the next job on the same
//! executor runs normally.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{executor, executor_with_timeout};
use compute_executor::exec::{Executor, Outcome};
use compute_executor::program::{Input, Job, Program};
use compute_executor::Error;
use compute_primitives::failure::{failure_root, FailureReason};

const GOOD: &str = "
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < arrayLength(&out) {
        out[id.x] = input[id.x] * 2u + 1u;
    }
}
";

fn job(wgsl: &str, workgroups: [u32; 3], exact: bool) -> Program {
    Program::from(Job {
        wgsl: Arc::from(wgsl),
        entry_point: "main".into(),
        inputs: vec![Input::words(&(0..256).collect::<Vec<u32>>())],
        output_len: 1024,
        workgroups,
        params: vec![],
        exact,
    })
}

/// Runs `program`, asserts it fails for `reason` with its canonical root, returns the message.
fn assert_fails(ex: &mut Executor, program: &Program, reason: FailureReason) -> String {
    match ex.run(program).expect("a bad job is an outcome, not an error") {
        Outcome::Failed(f) => {
            assert_eq!(f.reason, reason, "{}", f.message);
            assert_eq!(f.root, failure_root(reason));
            f.message
        }
        Outcome::Completed(_) => panic!("the job must fail with {}", reason.name()),
    }
}

/// The next job runs and is correct.
fn assert_next_job_runs(ex: &mut Executor) {
    let out = common::completed(ex.run(&job(GOOD, [4, 1, 1], true)).expect("the next job runs")).output;
    let expected: Vec<u32> = (0..256).map(|i| i * 2 + 1).collect();
    assert_eq!(out, common::bytes_of(&expected));
}

#[test]
fn malformed_wgsl() {
    let mut ex = executor();
    let message =
        assert_fails(&mut ex, &job("@compute fn main( {", [1, 1, 1], true), FailureReason::InvalidWgsl);
    assert!(message.contains("line 1"), "{message}");
    assert_next_job_runs(&mut ex);
}

/// Subgroup operations, 64-bit integers and texel inputs are for device variants only
/// (`Validation::DeviceVariant`): a job's result must not depend on the subgroup size of the device that
/// runs it.
#[test]
fn device_variant_features_are_refused_in_jobs() {
    let mut ex = executor();
    let subgroup = GOOD.replace("input[id.x] * 2u", "subgroupBroadcast(input[id.x], 0u) * 2u");
    let message = assert_fails(&mut ex, &job(&subgroup, [4, 1, 1], true), FailureReason::InvalidWgsl);
    assert!(message.contains("line "), "{message}");
    let int64 = GOOD.replace("input[id.x] * 2u + 1u", "u32(u64(input[id.x]) * 2lu + 1lu)");
    assert_fails(&mut ex, &job(&int64, [4, 1, 1], true), FailureReason::InvalidWgsl);
    let texels = GOOD
        .replace("var<storage, read> input: array<u32>", "var input: texture_2d<u32>")
        .replace("input[id.x]", "textureLoad(input, vec2<u32>(id.x, 0u), 0).x");
    let message = assert_fails(&mut ex, &job(&texels, [4, 1, 1], true), FailureReason::UnsupportedFeature);
    assert!(message.contains("`input`"), "{message}");
    assert_next_job_runs(&mut ex);
}

#[test]
fn wrong_bindings() {
    let mut ex = executor();
    let in_group_1 = GOOD.replace("@group(0) @binding(1)", "@group(1) @binding(0)");
    assert_fails(&mut ex, &job(&in_group_1, [1, 1, 1], true), FailureReason::BindingMismatch);
    // Two inputs declared, one given.
    let two_inputs = GOOD.replace(
        "@group(0) @binding(1) var<storage, read_write>",
        "@group(0) @binding(1) var<storage, read> extra: array<u32>;\n@group(0) @binding(2) var<storage, read_write>",
    );
    assert_fails(&mut ex, &job(&two_inputs, [1, 1, 1], true), FailureReason::BindingMismatch);
    assert_next_job_runs(&mut ex);
}

#[test]
fn float_in_exact_job() {
    let mut ex = executor();
    let float =
        GOOD.replace("out[id.x] = input[id.x] * 2u + 1u;", "out[id.x] = u32(f32(input[id.x]) * 2.0) + 1u;");
    let message = assert_fails(&mut ex, &job(&float, [4, 1, 1], true), FailureReason::FloatInExactJob);
    assert!(message.starts_with("line 8:"), "the message names the line: {message}");
    assert_next_job_runs(&mut ex);
    // The same kernel runs when floating point is allowed (small integers are exact in f32).
    let out = common::completed(ex.run(&job(&float, [4, 1, 1], false)).unwrap()).output;
    assert_eq!(out, common::bytes_of(&(0..256).map(|i| i * 2 + 1).collect::<Vec<u32>>()));
}

#[test]
fn oversized_dispatch_and_workgroup() {
    let mut ex = executor();
    assert_fails(&mut ex, &job(GOOD, [65_536, 1, 1], true), FailureReason::DispatchTooLarge);
    let wide = GOOD.replace("@workgroup_size(64)", "@workgroup_size(1024)");
    assert_fails(&mut ex, &job(&wide, [1, 1, 1], true), FailureReason::WorkgroupTooLarge);
    let mut huge = job(GOOD, [1, 1, 1], true);
    huge.output_len = 256 << 20;
    assert_fails(&mut ex, &huge, FailureReason::OutputTooLarge);
    assert_next_job_runs(&mut ex);
}

/// A kernel that never ends on a GPU: an LCG compared against a value the output never holds. Mesa's
/// llvmpipe (lavapipe) caps every invocation at 65 535 loop iterations, so the dispatch is made large
/// enough (2^32 invocations, about 2^48 iterations) to run for days there too.
const RUNAWAY: &str = "
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    var x = input[0] + id.x + id.y;
    loop {
        x = x * 1664525u + 1013904223u;
        if x == 7u && out[1] == 0xdeadbeefu {
            break;
        }
    }
    out[2 + id.x % 8u] = x;
}
";

#[test]
fn an_infinite_loop_times_out_without_a_result_and_the_next_job_runs() {
    let timeout = Duration::from_secs(3);
    let mut ex = executor_with_timeout(timeout);
    // Warm the pipeline cache and the pool first: they are dropped with the device and must be rebuilt.
    assert_next_job_runs(&mut ex);
    let start = Instant::now();
    // A timeout depends on the machine: a machine error, never a failure root to commit.
    match ex.run(&job(RUNAWAY, [65_535, 256, 1], true)) {
        Err(Error::TimedOut(limit)) => assert!(limit >= timeout, "{limit:?}"),
        other => panic!("expected a machine error, got {other:?}"),
    }
    let waited = start.elapsed();
    assert!(waited >= timeout, "it waited the whole time limit: {waited:?}");
    assert!(waited < timeout * 4, "it did not wait much longer: {waited:?}");
    assert_eq!(ex.stats().timeouts, 1);
    assert_eq!(ex.stats().device_recreations, 0, "the device is recreated lazily, for the next job");

    // The next jobs run on a fresh device, correctly.
    ex.set_timeout(Duration::from_secs(120));
    assert_next_job_runs(&mut ex);
    assert_eq!(ex.stats().device_recreations, 1);
    assert_next_job_runs(&mut ex);
}

#[test]
fn lost_device_is_recreated_and_the_job_runs() {
    let mut ex = executor();
    assert_next_job_runs(&mut ex);
    ex.destroy_device_for_tests();
    assert_next_job_runs(&mut ex);
    assert_eq!(ex.stats().device_recreations, 1, "{:?}", ex.stats());
    assert_next_job_runs(&mut ex);
}
