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
//! 3. stops the node and runs `benchmark extrinsic` on its database for a remark, a transfer and the three
//!    calls, and prints each one's time per extrinsic and its ratio to the transfer's.

mod common;

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use codec::{Decode, Encode};
use common::{Node, NodeOptions};
use compute_primitives::{JobDetails, JobId, JobPhase};
use compute_runtime::{
    extrinsic::signed_extrinsic,
    job_benchmarks::{alice_job, alice_result, PREPARED_JOBS},
    AccountId, Balance, BlockNumber, RuntimeCall,
};
use serde_json::json;
use sp_keyring::Sr25519Keyring;

fn state_call<R: Decode>(node: &Node, method: &str, args: impl Encode) -> R {
    let result = node.rpc("state_call", json!([method, format!("0x{}", hex::encode(args.encode()))]));
    let bytes = hex::decode(result.as_str().expect("hex").trim_start_matches("0x")).expect("hex");
    R::decode(&mut &bytes[..]).expect("the runtime API's answer decodes")
}

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
        extra_args: &["--alice", "--validator"],
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
    node.wait_until("half of the prepared jobs wait for Alice's reveal", || {
        (alice_jobs(&node, JobPhase::Revealing).len() as u32 == PREPARED_JOBS).then_some(())
    });
    node.stop();
}

/// Average nanoseconds per extrinsic that `benchmark extrinsic` reports.
fn time_per_extrinsic(binary: &Path, base_path: &Path, pallet: &str, extrinsic: &str) -> u64 {
    let output = Command::new(binary)
        .args(["benchmark", "extrinsic", "--chain", "benchmark", "--base-path"])
        .arg(base_path)
        .args(["--pallet", pallet, "--extrinsic", extrinsic])
        .args(["--max-ext-per-block", &PREPARED_JOBS.to_string(), "--warmup", "5", "--repeat", "50"])
        .output()
        .expect("the benchmark node runs");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "benchmark extrinsic {pallet}::{extrinsic} failed:\n{log}");
    let average = log
        .lines()
        .find_map(|line| line.split("Average: ").nth(1))
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.trim().parse().ok());
    average.unwrap_or_else(|| panic!("no average in the output of {pallet}::{extrinsic}:\n{log}"))
}

#[test]
#[ignore = "needs a node built with runtime-benchmarks; run scripts/benchmark-jobs.sh"]
fn jobs_calls_against_a_balance_transfer() {
    let binary = PathBuf::from(
        std::env::var("BENCHMARK_NODE").expect("BENCHMARK_NODE names a node built with runtime-benchmarks"),
    );
    let base_path = tempfile::tempdir().expect("a temporary directory");
    prepare(&binary, base_path.path());

    let measure = |pallet, extrinsic| time_per_extrinsic(&binary, base_path.path(), pallet, extrinsic);
    let transfer = measure("balances", "transfer_keep_alive");
    let remark = measure("system", "remark");
    println!("extrinsic                        ns/extrinsic   × transfer");
    println!("balances::transfer_keep_alive    {transfer:>12}   1.00");
    println!("system::remark                   {remark:>12}   {:.2}", remark as f64 / transfer as f64);
    for call in ["submit_job", "commit_result", "reveal_result"] {
        let time = measure("compute_jobs", call);
        println!("compute_jobs::{call:<19}{time:>12}   {:.2}", time as f64 / transfer as f64);
    }
}
