//! The jobs pallet's per-transaction target: `submit_job` (assignment among 1 000 providers),
//! `commit_result` and `reveal_result` against a balance transfer, with the node's `benchmark extrinsic`.
//!
//! Ignored by the test command: it needs a node built with `--features runtime-benchmarks` and takes
//! minutes. `scripts/benchmark-jobs.sh` builds that node and runs it. What it does:
//!
//! 1. starts that node on the `benchmark` chain (1 000 genesis providers, Alice a provider with more GPU
//!    memory than anyone) with Alice authoring;
//! 2. Bob submits `2 × PREPARED_JOBS` jobs that only Alice qualifies for; Alice commits to the first half,
//!    so that `PREPARED_JOBS` wait for her commitment and `PREPARED_JOBS` for her reveal;
//! 3. stops the node and exports its best state as the genesis of a new chain spec (`export-state`), since
//!    `benchmark extrinsic` executes its blocks on the genesis state; the block number is reset to zero
//!    there so that the benchmark's block 1 follows it;
//! 4. runs `benchmark extrinsic` on that chain for a remark, a transfer and the three calls, and prints each
//!    one's time per extrinsic and its ratio to the transfer's.

mod common;

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use codec::Encode;
use common::{state_call, Node, NodeOptions};
use compute_primitives::{JobDetails, JobId, JobPhase};
use compute_runtime::{
    extrinsic::signed_extrinsic,
    job_benchmarks::{alice_job, alice_result, sampled_job, PREPARED_JOBS},
    AccountId, Balance, BlockNumber, RuntimeCall,
};
use serde_json::json;
use sp_keyring::Sr25519Keyring;
use sp_runtime::ApplyExtrinsicResult;

fn alice_jobs(node: &Node, phase: JobPhase) -> Vec<JobId> {
    let alice = Sr25519Keyring::Alice.to_account_id();
    let ids: Vec<JobId> = state_call(node, "ComputeApi_assignments", &alice);
    ids.into_iter()
        .filter(|id| {
            let details: Option<JobDetails<AccountId, Balance, BlockNumber>> =
                state_call(node, "ComputeApi_job", id);
            matches!(details, Some(JobDetails::Open(job)) if job.phase == phase)
        })
        .collect()
}

fn prepare(binary: &Path, base_path: &Path) {
    let node = Node::start_dev(NodeOptions {
        base_path: Some(base_path),
        chain_spec: Some(Path::new("benchmark")),
        binary: Some(binary),
        extra_args: &["--alice", "--validator", "--unsafe-force-node-key-generation"],
        ..Default::default()
    });
    let context = node.signing_context();
    let (alice, bob) = (Sr25519Keyring::Alice, Sr25519Keyring::Bob);
    for nonce in 0..2 * PREPARED_JOBS {
        let call =
            RuntimeCall::ComputeJobs(pallet_compute_jobs::Call::submit_job { spec: Box::new(alice_job()) });
        node.submit(&signed_extrinsic(call, &bob.pair(), nonce, context))
            .expect("the submission is accepted");
    }
    let committing = node.wait_until("Alice is assigned every prepared job", || {
        let jobs = alice_jobs(&node, JobPhase::Committing);
        (jobs.len() as u32 == 2 * PREPARED_JOBS).then_some(jobs)
    });
    let first_nonce = node.next_nonce(&alice.to_account_id());
    for (i, job_id) in committing[..PREPARED_JOBS as usize].iter().enumerate() {
        let (root, salt) = alice_result(*job_id);
        let commitment =
            compute_primitives::commitment(*job_id, &alice.to_account_id().encode(), &root, &salt);
        let call = RuntimeCall::ComputeJobs(pallet_compute_jobs::Call::commit_result {
            job_id: *job_id,
            commitment,
        });
        node.submit(&signed_extrinsic(call, &alice.pair(), first_nonce + i as u32, context))
            .expect("the commitment is accepted");
    }
    let revealing = node.wait_until("half of the prepared jobs wait for Alice's reveal", || {
        let jobs = alice_jobs(&node, JobPhase::Revealing);
        (jobs.len() as u32 == PREPARED_JOBS).then_some(jobs)
    });

    // The benchmarked extrinsics must dispatch, not fail cheaply: dry-run one of each on the best state.
    let committing = alice_jobs(&node, JobPhase::Committing);
    let alice_id = alice.to_account_id();
    let (root, salt) = alice_result(committing[0]);
    let (revealed_root, revealed_salt) = alice_result(revealing[0]);
    let calls = [
        pallet_compute_jobs::Call::submit_job { spec: Box::new(sampled_job(0)) },
        pallet_compute_jobs::Call::commit_result {
            job_id: committing[0],
            commitment: compute_primitives::commitment(committing[0], &alice_id.encode(), &root, &salt),
        },
        pallet_compute_jobs::Call::reveal_result {
            job_id: revealing[0],
            result_root: revealed_root,
            salt: revealed_salt,
        },
    ];
    let nonce = node.next_nonce(&alice_id);
    for call in calls {
        let name = format!("{call:?}");
        let xt = signed_extrinsic(RuntimeCall::ComputeJobs(call), &alice.pair(), nonce, context);
        let result: ApplyExtrinsicResult = state_call(&node, "BlockBuilder_apply_extrinsic", xt);
        assert_eq!(result, Ok(Ok(())), "dry run of {name}");
    }
    node.stop();
}

/// `System::Number`: `twox128("System") ++ twox128("Number")`.
const SYSTEM_NUMBER_KEY: &str = "0x26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac";

/// Writes the prepared chain's best state as the genesis of a raw chain spec, at block number zero.
fn export_prepared_state(binary: &Path, base_path: &Path, spec: &Path) {
    let output = Command::new(binary)
        .args(["export-state", "--chain", "benchmark", "--base-path"])
        .arg(base_path)
        .output()
        .expect("the benchmark node runs");
    assert!(output.status.success(), "export-state failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let mut json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON chain spec");
    let top = json["genesis"]["raw"]["top"].as_object_mut().expect("a raw chain spec");
    assert!(top.contains_key(SYSTEM_NUMBER_KEY), "the exported state has a block number");
    top.insert(SYSTEM_NUMBER_KEY.into(), json!("0x00000000"));
    std::fs::write(spec, serde_json::to_vec(&json).expect("serialises")).expect("the spec is written");
}

/// Median nanoseconds per extrinsic that `benchmark extrinsic` reports (over 500 executions of the block;
/// the median resists the outliers of a busy machine better than the mean).
fn time_per_extrinsic(binary: &Path, spec: &Path, pallet: &str, extrinsic: &str) -> u64 {
    let base_path = tempfile::tempdir().expect("a temporary directory");
    let output = Command::new(binary)
        .args(["benchmark", "extrinsic", "--chain"])
        .arg(spec)
        .arg("--base-path")
        .arg(base_path.path())
        .args(["--pallet", pallet, "--extrinsic", extrinsic])
        .args(["--max-ext-per-block", &PREPARED_JOBS.to_string(), "--warmup", "50", "--repeat", "500"])
        .output()
        .expect("the benchmark node runs");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "benchmark extrinsic {pallet}::{extrinsic} failed:\n{log}");
    let median = log
        .lines()
        .find_map(|line| line.split("Median: ").nth(1))
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.trim().parse().ok());
    median.unwrap_or_else(|| panic!("no median in the output of {pallet}::{extrinsic}:\n{log}"))
}

#[test]
#[ignore = "needs a node built with runtime-benchmarks; run scripts/benchmark-jobs.sh"]
fn jobs_calls_against_a_balance_transfer() {
    let binary = PathBuf::from(
        std::env::var("BENCHMARK_NODE").expect("BENCHMARK_NODE names a node built with runtime-benchmarks"),
    );
    let base_path = tempfile::tempdir().expect("a temporary directory");
    prepare(&binary, base_path.path());
    let spec = base_path.path().join("prepared-raw.json");
    export_prepared_state(&binary, base_path.path(), &spec);

    let measure = |pallet, extrinsic| time_per_extrinsic(&binary, &spec, pallet, extrinsic);
    // Two rounds, interleaved, so that a slow spell of the machine shows as a disagreement between them.
    let calls = [
        ("balances", "transfer_keep_alive"),
        ("system", "remark"),
        ("compute_jobs", "submit_job"),
        ("compute_jobs", "commit_result"),
        ("compute_jobs", "reveal_result"),
    ];
    for round in 1..=2 {
        let times: Vec<u64> = calls.iter().map(|(pallet, call)| measure(pallet, call)).collect();
        let transfer = times[0] as f64;
        println!("round {round}: extrinsic               ns/extrinsic (median)   × transfer");
        for ((pallet, call), time) in calls.iter().zip(&times) {
            println!("  {:<34}{time:>12}   {:.2}", format!("{pallet}::{call}"), *time as f64 / transfer);
        }
    }
}
