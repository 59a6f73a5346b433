//! The whole market on one machine: a dev node, three `gpu-worker run` providers on lavapipe (or whatever
//! adapter wgpu finds), and a requester using `gpu-worker submit` / `fetch`, as a user would.
//!
//! One network serves every case, in order: a 3-replica job completes and pays each provider; `fetch`
//! verifies the output and refuses a tampered copy; a worker killed after its commit (its stored output
//! deleted) is restarted and reveals in time; a worker rebuilt with the test-only fault switch reveals a
//! wrong result, is slashed, and the job still completes by quorum; and polkadot-js drives the same happy
//! path; `earnings --csv` then accounts for the requester, the liar and a delegator. The lying worker is
//! `gpu-worker-faulty` (`scripts/test.sh` builds it), so the `gpu-worker` binary never has the switch.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::workers::{
    account, cli, faulty_worker_binary, job, logs, stats, text, worker_binary, Stats, Worker,
};
use common::{free_port, run_script_with, state_call_at, Node, NodeOptions};
use compute_primitives::{JobDetails, JobId, JobResult, ResultRoot};
use compute_runtime::{AccountId, Balance, BlockNumber};
use pallet_compute_staking::DelegationStats;

type Position = DelegationStats<Balance, BlockNumber>;

const MANDELBROT: [&str; 6] = ["--kernel", "builtin:mandelbrot", "--arg", "width=64", "--arg", "height=48"];

/// Submits the test's Mandelbrot job as Eve with `replicas` replicas and returns its id (without following
/// it).
fn submit(node: &Node, replicas: &str, extra: &[&str]) -> JobId {
    let ws = format!("ws://127.0.0.1:{}", node.rpc_port);
    let mut args = vec![
        "submit",
        "--node",
        &ws,
        "--suri",
        "//Eve",
        "--replicas",
        replicas,
        "--reward",
        "0.01",
        "--no-wait",
    ];
    args.extend(MANDELBROT);
    args.extend(extra);
    let out = cli(&args);
    assert!(out.status.success(), "submit failed\n{}\n{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout).trim().parse().expect("submit prints the job id")
}

fn wait_finished(node: &Node, job_id: JobId, workers: &[&Worker]) -> JobResult {
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        if let Some(JobDetails::Finished(record)) = job(node, job_id) {
            return record.outcome;
        }
        if Instant::now() > deadline {
            panic!("job {job_id} did not finish: {:?}{}", job(node, job_id), logs(node, workers));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The providers first assigned to a job, once it is assigned.
fn wait_assigned(node: &Node, job_id: JobId, workers: &[&Worker]) -> Vec<AccountId> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        match job(node, job_id) {
            Some(JobDetails::Open(open)) if !open.replicas.is_empty() => {
                return open
                    .replicas
                    .iter()
                    .take(usize::from(open.spec.replicas))
                    .map(|r| r.provider.clone())
                    .collect();
            }
            Some(JobDetails::Finished(record)) => panic!("job {job_id} ended unassigned: {record:?}"),
            _ if Instant::now() > deadline => {
                panic!("job {job_id} was not assigned: {:?}{}", job(node, job_id), logs(node, workers))
            }
            _ => std::thread::sleep(Duration::from_millis(250)),
        }
    }
}

/// Whether referees join the job before it finishes.
fn wait_disputed(node: &Node, job_id: JobId, workers: &[&Worker]) -> bool {
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        match job(node, job_id) {
            Some(JobDetails::Open(open)) if open.replicas.len() > usize::from(open.spec.replicas) => {
                return true
            }
            Some(JobDetails::Finished(_)) => return false,
            _ if Instant::now() > deadline => {
                panic!("job {job_id} did not finish: {:?}{}", job(node, job_id), logs(node, workers))
            }
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// The root `gpu-worker exec --verify` computes locally for the test's job (checked against the CPU reference).
fn expected_root() -> ResultRoot {
    let mut args = vec!["exec", "--verify"];
    args.extend(MANDELBROT);
    let out = cli(&args);
    assert!(out.status.success(), "exec --verify failed: {}", text(&out.stderr));
    let bytes = hex::decode(text(&out.stdout).trim()).expect("exec prints a hex root");
    ResultRoot(bytes.try_into().expect("32 bytes"))
}

/// Serves `body` to every HTTP request on a free port (a provider that tampers with its output).
fn tampering_server(body: Vec<u8>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("an address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head =
                format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(&body));
        }
    });
    port
}

#[test]
fn three_workers_serve_jobs_verify_outputs_survive_restarts_and_a_liar_is_slashed() {
    let node = Node::start_dev(NodeOptions::default());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let honest = worker_binary();
    let bob = Worker::start(&honest, "//Bob", &node, &dir.path().join("bob"), free_port(), &[]);
    let mut charlie =
        Worker::start(&honest, "//Charlie", &node, &dir.path().join("charlie"), free_port(), &[]);
    let mut dave = Worker::start(&honest, "//Dave", &node, &dir.path().join("dave"), free_port(), &[]);
    let deadline = Instant::now() + Duration::from_secs(180);
    while ["//Bob", "//Charlie", "//Dave"].iter().any(|k| stats(&node, k).is_none()) {
        assert!(
            Instant::now() < deadline,
            "the workers did not register{}",
            logs(&node, &[&bob, &charlie, &dave])
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let root = expected_root();

    // 1. A 3-replica job completes: each provider paid, the requester's escrow released.
    let eve = account("//Eve");
    let held_before = node.account_data(&eve).reserved;
    let before: Vec<Stats> =
        ["//Bob", "//Charlie", "//Dave"].iter().map(|k| stats(&node, k).unwrap()).collect();
    let ws = format!("ws://127.0.0.1:{}", node.rpc_port);
    let out_file = dir.path().join("mandelbrot.png");
    let started = Instant::now();
    let mut args = vec!["submit", "--node", &ws, "--suri", "//Eve", "--replicas", "3", "--reward", "0.01"];
    args.extend(MANDELBROT);
    args.extend(["--out", out_file.to_str().unwrap()]);
    let out = cli(&args);
    let all = [&bob, &charlie, &dave];
    assert!(
        out.status.success(),
        "submit failed\n{}\n{}{}",
        text(&out.stdout),
        text(&out.stderr),
        logs(&node, &all)
    );
    eprintln!("submit to verified output: {:.1} s\n{}", started.elapsed().as_secs_f64(), text(&out.stderr));
    let first_job: JobId = text(&out.stdout).trim().parse().expect("a job id");
    let job_id = first_job;
    assert_eq!(
        job(&node, job_id)
            .map(|d| matches!(d, JobDetails::Finished(r) if r.outcome == JobResult::Completed { root })),
        Some(true)
    );
    assert!(std::fs::metadata(&out_file).map(|m| m.len() > 0).unwrap_or(false), "the PNG was written");
    assert_eq!(node.account_data(&eve).reserved, held_before, "the escrow is released");
    let reward: Balance = 10_000_000_000; // 0.01 GPUC
    for (key, before) in ["//Bob", "//Charlie", "//Dave"].iter().zip(&before) {
        let after = stats(&node, key).unwrap();
        assert_eq!(
            after.reputation.jobs_completed,
            before.reputation.jobs_completed + 1,
            "{key} completed it"
        );
        assert!(after.reputation.total_earned >= before.reputation.total_earned + reward, "{key} was paid");
        assert_eq!(after.reputation.total_slashed, before.reputation.total_slashed, "{key} was not slashed");
    }

    // 2. `fetch` verifies against the root on chain, and refuses a tampered copy.
    let fetched = dir.path().join("fetched.bin");
    let job_arg = job_id.to_string();
    let out = cli(&["fetch", "--node", &ws, &job_arg, "--out", fetched.to_str().unwrap()]);
    assert!(out.status.success(), "fetch failed: {}", text(&out.stderr));
    assert_eq!(compute_primitives::result_root(&std::fs::read(&fetched).unwrap()), root);
    let mut tampered = std::fs::read(&fetched).unwrap();
    tampered[100] ^= 1;
    let liar = format!("http://127.0.0.1:{}", tampering_server(tampered));
    let refused = dir.path().join("refused.bin");
    let out = cli(&["fetch", "--node", &ws, &job_arg, "--out", refused.to_str().unwrap(), "--from", &liar]);
    assert!(!out.status.success(), "a tampered copy must be refused");
    assert!(text(&out.stderr).contains("refused"), "the refusal is reported: {}", text(&out.stderr));
    assert!(!refused.exists(), "nothing is written from a tampered copy");

    // 2b. A delegator stakes behind Bob with the CLI, and reads Bob's record and yield.
    let bob_pool = stats(&node, "//Bob").unwrap().delegated;
    let out = cli(&["delegate", "--node", &ws, "--suri", "//Ferdie", "//Bob", "100"]);
    assert!(out.status.success(), "delegate failed: {}", text(&out.stderr));
    // It warms up first (the dev chain's 10 blocks, rounded up to a batch): not yet at risk or earning.
    assert_eq!(stats(&node, "//Bob").unwrap().warming_up, 100_000_000_000_000);
    let deadline = Instant::now() + Duration::from_secs(90);
    while stats(&node, "//Bob").unwrap().warming_up > 0 {
        assert!(Instant::now() < deadline, "Ferdie's delegation did not activate");
        std::thread::sleep(Duration::from_secs(1));
    }
    let delegated = stats(&node, "//Bob").unwrap().delegated - bob_pool;
    assert!(delegated.abs_diff(100_000_000_000_000) <= 1, "100 GPUC more behind Bob, got {delegated}");
    let out = cli(&["rewards", "--node", &ws, "//Bob", "--delegator", "//Ferdie"]);
    assert!(
        text(&out.stdout).contains("jobs completed 1 (canaries 0),"),
        "rewards shows the record: {}",
        text(&out.stdout)
    );
    let position = |hash: &serde_json::Value| -> Balance {
        let stats: Option<Position> =
            state_call_at(&node, "ComputeApi_delegation", (account("//Bob"), account("//Ferdie")), hash);
        let stats = stats.expect("Ferdie has a position with Bob");
        stats.active
            + stats.unbonding.iter().map(|c| c.value).sum::<Balance>()
            + stats.warming_up.iter().map(|c| c.value).sum::<Balance>()
    };
    let delegated_at = node.rpc("chain_getBlockHash", serde_json::json!([]));
    let ferdie_start = position(&delegated_at);
    assert!(
        text(&out.stdout).contains(&format!("{} active", format_gpuc(ferdie_start))),
        "rewards shows Ferdie's position ({ferdie_start}): {}",
        text(&out.stdout)
    );

    // 3. A worker killed after its commit, its output lost, restarts and reveals in time.
    let charlie_before = stats(&node, "//Charlie").unwrap();
    let job_id = submit(&node, "3", &["--reveal-window", "30"]);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let committed = match job(&node, job_id) {
            Some(JobDetails::Open(open)) => {
                open.replicas.iter().any(|r| r.provider == account("//Charlie") && r.commitment.is_some())
            }
            other => panic!("job {job_id} ended before Charlie committed: {other:?}{}", logs(&node, &all)),
        };
        if committed {
            break;
        }
        assert!(Instant::now() < deadline, "Charlie did not commit{}", logs(&node, &all));
        std::thread::sleep(Duration::from_millis(100));
    }
    charlie.kill();
    let _ = std::fs::remove_dir_all(charlie.data_dir.join("outputs"));
    charlie = Worker::start(&honest, "//Charlie", &node, &charlie.data_dir.clone(), charlie.port, &[]);
    let all = [&bob, &charlie, &dave];
    assert_eq!(wait_finished(&node, job_id, &all), JobResult::Completed { root });
    let charlie_after = stats(&node, "//Charlie").unwrap();
    assert_eq!(charlie_after.reputation.jobs_completed, charlie_before.reputation.jobs_completed + 1);
    assert_eq!(charlie_after.reputation.missed_deadlines, charlie_before.reputation.missed_deadlines);
    assert_eq!(charlie_after.reputation.total_slashed, charlie_before.reputation.total_slashed);
    assert!(
        charlie.log().contains("recomputing"),
        "the lost output was recomputed{}",
        logs(&node, &[&charlie])
    );

    // 4. Dave restarts with the fault switch: it reveals a wrong root, which opens a dispute; the provider
    //    left out of the 2-replica job is drawn as the referee and sides with the honest one; Dave is
    //    slashed and the job completes.
    dave.kill();
    let dave_before = stats(&node, "//Dave").unwrap();
    dave = Worker::start(
        &faulty_worker_binary(),
        "//Dave",
        &node,
        &dave.data_dir.clone(),
        dave.port,
        &["--fault-wrong-results"],
    );
    let all = [&bob, &charlie, &dave];
    let dave_id = account("//Dave");
    let mut tries = 0;
    let (job_id, bob_before) = loop {
        tries += 1;
        assert!(tries <= 12, "Dave was never drawn for a 2-replica job{}", logs(&node, &all));
        let bob_before = stats(&node, "//Bob").unwrap();
        let job_id = submit(&node, "2", &[]);
        if wait_assigned(&node, job_id, &all).contains(&dave_id) {
            break (job_id, bob_before);
        }
        assert_eq!(wait_finished(&node, job_id, &all), JobResult::Completed { root });
    };
    assert!(wait_disputed(&node, job_id, &all), "the disagreement opens a dispute{}", logs(&node, &all));
    assert_eq!(wait_finished(&node, job_id, &all), JobResult::Completed { root });
    let dave_after = stats(&node, "//Dave").unwrap();
    assert_eq!(
        dave_after.reputation.wrong_results,
        dave_before.reputation.wrong_results + 1,
        "{}",
        logs(&node, &all)
    );
    assert!(
        dave_after.reputation.total_slashed > dave_before.reputation.total_slashed,
        "the liar is slashed"
    );
    assert!(dave_after.bond < dave_before.bond, "its bond pays the slash");
    assert_eq!(
        stats(&node, "//Bob").unwrap().reputation.jobs_completed,
        bob_before.reputation.jobs_completed + 1
    );
    dave.kill();

    // 5. polkadot-js drives the happy path with the honest two: `signAndSend`, the completion event,
    //    `api.call.computeApi` (Dave, slashed below the minimum bond, is chilled and not drawn).
    assert!(!stats(&node, "//Dave").unwrap().active, "the slashed liar is chilled");
    run_script_with(&node, "compute.mjs", &[]);

    // 6. `earnings --csv` accounts for each side from the events: the requester's payments and fees, the
    //    liar's slash, and the delegator's share of Bob's rewards, to the planck.
    let to = node.finalized_number();
    let to_hash = node.rpc("chain_getBlockHash", serde_json::json!([to]));
    let earnings = |key: &str| -> Vec<Vec<String>> {
        let out = cli(&["earnings", "--node", &ws, key, "--csv", "--from", "1", "--to", &to.to_string()]);
        assert!(out.status.success(), "earnings {key} failed: {}", text(&out.stderr));
        let csv = text(&out.stdout);
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("block,timestamp,kind,job,counterparty,amount_planck,amount_gpuc,detail")
        );
        lines.map(|line| line.splitn(8, ',').map(str::to_owned).collect()).collect()
    };
    let amount = |row: &Vec<String>| row[5].parse::<i128>().expect("an amount in planck");
    let sum = |rows: &[Vec<String>], kind: &str, job: Option<JobId>| -> i128 {
        rows.iter().filter(|r| r[2] == kind && job.is_none_or(|j| r[3] == j.to_string())).map(amount).sum()
    };
    let eve_rows = earnings("//Eve");
    assert_eq!(sum(&eve_rows, "job_payment_made", Some(first_job)), -3 * reward as i128, "{eve_rows:?}");
    assert!(sum(&eve_rows, "job_fee", Some(first_job)) < 0, "the fee is listed: {eve_rows:?}");
    let dave_rows = earnings("//Dave");
    let dave_slash = (dave_before.bond - dave_after.bond) as i128;
    assert_eq!(sum(&dave_rows, "slash", Some(job_id)), -dave_slash, "{dave_rows:?}");
    assert!(sum(&dave_rows, "job_payment_received", Some(first_job)) >= reward as i128, "{dave_rows:?}");
    let ferdie_rows = earnings("//Ferdie");
    assert_eq!(sum(&ferdie_rows, "delegated", None), 100_000_000_000_000, "{ferdie_rows:?}");
    let gained = sum(&ferdie_rows, "delegation_reward", None) + sum(&ferdie_rows, "delegation_slash", None);
    assert!(gained > 0, "Bob earned for Ferdie after the delegation: {ferdie_rows:?}");
    assert_eq!(gained, position(&to_hash) as i128 - ferdie_start as i128, "{ferdie_rows:?}");
    drop((bob, charlie));
}

/// `gpu-worker`'s way of writing an amount.
fn format_gpuc(planck: Balance) -> String {
    let (whole, fraction) = (planck / 1_000_000_000_000, planck % 1_000_000_000_000);
    if fraction == 0 {
        format!("{whole} GPUC")
    } else {
        format!("{whole}.{} GPUC", format!("{fraction:012}").trim_end_matches('0'))
    }
}
