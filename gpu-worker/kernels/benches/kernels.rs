//! Criterion benchmarks: for every built-in kernel, the GPU path (upload, dispatch, readback; no root) and
//! the multithreaded CPU reference, in one run.
//!
//! `cargo bench -p compute-kernels --bench kernels` uses the quick sizes of `gpu-worker bench --quick`;
//! `GPU_WORKER_BENCH_FULL=1` uses the full sizes of `gpu-worker bench`.

use compute_executor::exec::{ExecConfig, Executor};
use compute_executor::program::Input;
use compute_kernels::bench::bench_jobs;
use compute_kernels::validation_of;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn kernels(c: &mut Criterion) {
    let full = std::env::var_os("GPU_WORKER_BENCH_FULL").is_some_and(|v| v != "0");
    let mut executor = Executor::new(ExecConfig::default()).unwrap_or_else(|e| {
        panic!("no usable GPU adapter ({e}); install mesa-vulkan-drivers for Mesa's lavapipe")
    });
    let traits = executor.device_traits().expect("a device");
    for job in bench_jobs(!full) {
        let inputs: Vec<Input> = job
            .default_inputs(1)
            .iter()
            .map(|i| Input::inline(i.materialize().expect("generated inputs").into_owned()))
            .collect();
        let program = job.program_for_device(inputs.clone(), traits).expect("valid built-in job");
        let raw: Vec<Vec<u8>> =
            inputs.iter().map(|i| i.materialize().expect("inline").into_owned()).collect();
        let slices: Vec<&[u8]> = raw.iter().map(Vec::as_slice).collect();
        let ref_inputs = job.reference_inputs(&slices);
        let output = job.run_reference(&ref_inputs).into_bytes();

        let mut group = c.benchmark_group(format!("{} {}", job.builtin().name(), job.describe()));
        group.sample_size(10);
        group.throughput(Throughput::Elements(job.work(&output) as u64));
        group.bench_function("gpu", |b| {
            b.iter(|| match executor.run_unhashed(&program, validation_of(&program)) {
                Ok(Ok((out, _))) => out,
                other => panic!("the GPU job did not complete: {other:?}"),
            })
        });
        group.bench_function("cpu", |b| b.iter(|| job.run_reference(&ref_inputs)));
        group.finish();
    }
}

criterion_group!(benches, kernels);
criterion_main!(benches);
