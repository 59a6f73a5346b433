//! Helpers shared by the GPU tests. They run on whatever adapter wgpu finds (Mesa's lavapipe on machines
//! without a GPU) and fail loudly, never skip, when there is none.

#![allow(dead_code)]

use std::time::Duration;

use gpu_worker::exec::{Completed, ExecConfig, Executor, Outcome};
use gpu_worker::job::Input;
use gpu_worker::kernels::{validation_of, BuiltinJob};

/// An executor on the default adapter; panics with installation instructions when there is none.
pub fn executor_with_timeout(timeout: Duration) -> Executor {
    match Executor::new(ExecConfig { timeout, ..ExecConfig::default() }) {
        Ok(executor) => executor,
        Err(e) => panic!(
            "the GPU tests need a wgpu adapter and found none usable: {e}\n\
             (on a machine without a GPU: apt-get install mesa-vulkan-drivers libvulkan1, for Mesa's lavapipe)"
        ),
    }
}

/// An executor with a generous time limit (lavapipe is slow).
pub fn executor() -> Executor {
    executor_with_timeout(Duration::from_secs(120))
}

/// The completed job, or a panic naming its failure.
pub fn completed(outcome: Outcome) -> Completed {
    match outcome {
        Outcome::Completed(c) => c,
        Outcome::Failed(f) => panic!("the job failed: {} ({})", f.reason.name(), f.message),
    }
}

/// Asserts that two outputs are identical, naming the first differing byte.
pub fn assert_same_bytes(gpu: &[u8], cpu: &[u8], what: &str) {
    assert_eq!(gpu.len(), cpu.len(), "{what}: output lengths differ");
    if let Some(i) = gpu.iter().zip(cpu).position(|(a, b)| a != b) {
        let word = i / 4 * 4;
        panic!(
            "{what}: GPU and CPU outputs differ first at byte {i} (u32 #{}): GPU {:02x?} CPU {:02x?}",
            i / 4,
            &gpu[word..(word + 4).min(gpu.len())],
            &cpu[word..(word + 4).min(cpu.len())]
        );
    }
}

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

/// Little-endian bytes of u32 words.
pub fn bytes_of(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}
