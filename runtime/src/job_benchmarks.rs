//! The jobs that the node's `benchmark extrinsic` runs submit, commit and reveal on the `benchmark` chain,
//! shared by the node's extrinsic builders and by the harness that prepares the chain's state.
//!
//! - `submit_job`: a 3-replica job that any of the 1 000 genesis providers may take, so that every
//!   submission samples among all of them.
//! - `commit_result` and `reveal_result`: single-replica jobs that only Alice qualifies for (she has more GPU
//!   memory than anyone else on that chain), prepared in earlier blocks; each commit is the job's last, so it
//!   starts the reveal phase, and each reveal is the last, so it schedules the resolution: the costliest
//!   paths of both calls.

use codec::Encode;
use compute_primitives::{kernel_id, result_root, HardwareNeeds, JobId, JobInput, ResultRoot, Salt};
use pallet_compute_jobs::JobSpecOf;
use sp_runtime::traits::{BlakeTwo256, Hash as HashT};

use crate::{
    genesis_config_presets::{BENCHMARK_ALICE_VRAM_MIB, BUILT_IN_KERNELS},
    Runtime, MILLI_UNIT,
};

/// Jobs prepared for each of `commit_result` and `reveal_result`: the most extrinsics per benchmark block.
pub const PREPARED_JOBS: u32 = 32;

fn spec(replicas: u8, quorum: u8, min_vram_mib: u32, commit_window: u32) -> JobSpecOf<Runtime> {
    let (_, matmul) = BUILT_IN_KERNELS[0];
    JobSpecOf::<Runtime> {
        kernel: kernel_id(matmul.as_bytes()),
        entry_point: b"main".to_vec().try_into().expect("short"),
        inputs: alloc::vec![JobInput::Generated { seed: [7; 32], len: 64 * 64 * 4 }]
            .try_into()
            .expect("one input"),
        params: Default::default(),
        output_len: 64 * 64 * 4,
        workgroups: [8, 8, 1],
        fuel: 0,
        replicas,
        quorum,
        reward_per_replica: 10 * MILLI_UNIT,
        commit_window,
        reveal_window: 1_000,
        queue_window: 100,
        needs: HardwareNeeds { min_vram_mib, determinism_class: None },
    }
}

/// The job of the `submit_job` benchmark's `index`-th extrinsic: sampled among every provider. Commit
/// windows differ so that the deadlines of a block's jobs spread over many blocks.
pub fn sampled_job(index: u32) -> JobSpecOf<Runtime> {
    spec(3, 2, 0, 100 + index % 500)
}

/// A job only Alice can take on the `benchmark` chain.
pub fn alice_job() -> JobSpecOf<Runtime> {
    spec(1, 1, BENCHMARK_ALICE_VRAM_MIB, 1_000)
}

/// The result root and salt Alice commits to and reveals for `job_id`.
pub fn alice_result(job_id: JobId) -> (ResultRoot, Salt) {
    let root = result_root(&job_id.to_le_bytes());
    let salt = Salt(<BlakeTwo256 as HashT>::hash(&(b"benchmark salt", job_id).encode()).0);
    (root, salt)
}
