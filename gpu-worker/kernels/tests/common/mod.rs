//! Helpers shared by the GPU tests. They run on whatever adapter wgpu finds (Mesa's lavapipe on machines
//! without a GPU) and fail loudly, never skip, when there is none.

#![allow(dead_code)]

use compute_executor::exec::Executor;
use compute_executor::program::Input;
use compute_kernels::{validation_of, BuiltinJob};

// The executor's own test helpers (an executor on the default adapter, `completed`, byte comparisons).
#[path = "../../../executor/tests/common/mod.rs"]
mod executor_helpers;
pub use executor_helpers::*;

/// Runs `job` on `inputs` on the GPU and on the CPU reference and asserts the bytes are equal: the portable
/// program, and the device's own variant when the library has one for it. Returns whether it had one.
pub fn check_against_reference(executor: &mut Executor, job: BuiltinJob, inputs: Vec<Input>) -> bool {
    let what = format!("{} {}", job.builtin().name(), job.describe());
    let raw: Vec<Vec<u8>> = inputs.iter().map(|i| i.materialize().unwrap().into_owned()).collect();
    let slices: Vec<&[u8]> = raw.iter().map(Vec::as_slice).collect();
    let cpu = job.reference(&slices);
    let portable = job.program(inputs.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
    let traits = executor.device_traits().unwrap_or_else(|e| panic!("{what}: {e}"));
    let for_device = job.program_for_device(inputs, traits).unwrap_or_else(|e| panic!("{what}: {e}"));
    let has_variant = for_device != portable;
    let mut programs = vec![(portable, "portable")];
    if has_variant {
        programs.push((for_device, "device variant"));
    }
    for (program, kind) in programs {
        let what = format!("{what} ({kind})");
        let gpu = completed(
            executor.run_with(&program, validation_of(&program)).unwrap_or_else(|e| panic!("{what}: {e}")),
        );
        assert_same_bytes(&gpu.output, &cpu, &what);
        assert_eq!(gpu.root, compute_primitives::result_root(&cpu), "{what}: root");
    }
    has_variant
}
