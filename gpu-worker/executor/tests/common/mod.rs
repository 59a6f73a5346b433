//! Helpers shared by the GPU tests. They run on whatever adapter wgpu finds (Mesa's lavapipe on machines
//! without a GPU) and fail loudly, never skip, when there is none.

#![allow(dead_code)]

use std::time::Duration;

use compute_executor::exec::{Completed, ExecConfig, Executor, Outcome};

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

/// Little-endian bytes of u32 words.
pub fn bytes_of(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}
