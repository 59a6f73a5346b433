//! Determinism: the same job gives the same root; reusing pipelines and pooled buffers across jobs of
//! different sizes never changes a root; roots are `compute_primitives::result_root` of the output.

mod common;

use std::sync::Arc;

use common::{bytes_of, completed, executor};
use compute_executor::exec::Executor;
use compute_executor::program::{Input, Job, Program};
use compute_kernels::{BitonicSort, BuiltinJob, Mandelbrot, Matmul, PrefixSum};
use compute_primitives::ResultRoot;

fn root_of(ex: &mut Executor, program: &Program) -> ResultRoot {
    completed(ex.run(program).expect("the executor works")).root
}

fn builtin(job: BuiltinJob, seed: u64) -> Program {
    job.program(job.default_inputs(seed)).expect("valid built-in job")
}

#[test]
fn same_job_twice_gives_the_same_root() {
    let mut ex = executor();
    let program = builtin(BuiltinJob::Matmul(Matmul { m: 96, k: 80, n: 112 }), 3);
    let first = completed(ex.run(&program).unwrap());
    let second = completed(ex.run(&program).unwrap());
    assert_eq!(first.root, second.root);
    assert_eq!(first.output, second.output);
    // A fresh executor (a new device, new pipelines, new buffers) agrees too.
    let mut other = executor();
    assert_eq!(root_of(&mut other, &program), first.root);
}

#[test]
fn buffer_reuse_never_changes_a_root() {
    let mut ex = executor();
    let jobs = [
        builtin(BuiltinJob::PrefixSum(PrefixSum { n: 200_000 }), 1),
        builtin(BuiltinJob::PrefixSum(PrefixSum { n: 3 }), 2),
        builtin(BuiltinJob::BitonicSort(BitonicSort { n: 70_000 }), 3),
        builtin(BuiltinJob::Matmul(Matmul { m: 5, k: 300, n: 7 }), 4),
        builtin(BuiltinJob::BitonicSort(BitonicSort { n: 900 }), 5),
        builtin(BuiltinJob::Mandelbrot(Mandelbrot::view(300, 200, 80)), 0),
        builtin(BuiltinJob::PrefixSum(PrefixSum { n: 150_001 }), 6),
    ];
    // Roots on a fresh executor, one job each: nothing to reuse.
    let fresh: Vec<ResultRoot> = jobs
        .iter()
        .map(|p| {
            let mut alone = executor();
            root_of(&mut alone, p)
        })
        .collect();
    // The same jobs interleaved, twice, on one executor: pipelines and buffers are reused.
    for round in 0..2 {
        for (i, program) in jobs.iter().enumerate().rev() {
            assert_eq!(root_of(&mut ex, program), fresh[i], "job {i}, round {round}");
        }
    }
    assert!(ex.pool_stats().reused > 0, "the pool was used: {:?}", ex.pool_stats());
}

/// A kernel that writes only the first word of its output, and the length its input is bound with.
const PARTIAL_WRITER: &str = "
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(1)
fn main() {
    out[0] = arrayLength(&input);
}
";

#[test]
fn pooled_buffers_show_nothing_of_earlier_jobs() {
    let mut ex = executor();
    // Fill a 4 KiB output (and its pooled buffer) with non-zero values.
    let fill = builtin(BuiltinJob::PrefixSum(PrefixSum { n: 1024 }), 9);
    let filled = completed(ex.run(&fill).unwrap());
    assert!(filled.output[4..].iter().any(|&b| b != 0));
    // A job of the same size class that writes one word: the rest of its output is zero, and its input is
    // bound with its own (padded) length, not its pooled buffer's.
    let job = Job {
        wgsl: Arc::from(PARTIAL_WRITER),
        entry_point: "main".into(),
        inputs: vec![Input::inline(vec![1u8; 10])],
        output_len: 4096,
        workgroups: [1, 1, 1],
        params: vec![],
        exact: true,
    };
    let out = completed(ex.run(&Program::from(job)).unwrap()).output;
    assert_eq!(&out[..4], &bytes_of(&[3]), "10 bytes are bound as 3 words");
    assert!(out[4..].iter().all(|&b| b == 0), "the output is cleared");
}

#[test]
fn roots_are_the_primitives_roots() {
    let mut ex = executor();
    // 1 MiB of output: the multithreaded hashing path.
    let c = completed(ex.run(&builtin(BuiltinJob::Mandelbrot(Mandelbrot::view(512, 512, 64)), 0)).unwrap());
    assert_eq!(c.output.len(), 1 << 20);
    assert_eq!(c.root, compute_primitives::result_root(&c.output));
}
