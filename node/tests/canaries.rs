//! The emission's canaries on a dev chain as users run it (`--dev`, canaries every minute): two unmodified
//! `gpu-worker run` providers are drawn for the chain's SHA-256 canary, run it on lavapipe (or whatever
//! adapter wgpu finds), agree, and are each credited its work units in the era's emission, which pays
//! nothing else; nobody is slashed and no funds move until the era's payout.

mod common;

use std::time::{Duration, Instant};

use codec::Decode;
use common::workers::{account, job, logs, stats, worker_binary, Worker};
use common::{free_port, Node, NodeOptions};
use compute_primitives::{JobDetails, JobId, JobResult};
use compute_runtime::{canaries::CANARY_MESSAGES, AccountId, Runtime};

/// The SCALE value of a storage item at the best block, if set.
fn storage<T: Decode>(node: &Node, key: Vec<u8>) -> Option<T> {
    let value = node.rpc("state_getStorage", serde_json::json!([format!("0x{}", hex::encode(key))]));
    value.as_str().map(|hex| {
        let bytes = hex::decode(hex.trim_start_matches("0x")).expect("hex storage");
        T::decode(&mut &bytes[..]).expect("the storage value decodes")
    })
}

/// The work units credited to `provider` in the current era.
fn era_work(node: &Node, provider: &AccountId) -> u64 {
    let era: u32 = storage(node, pallet_compute_staking::CurrentEra::<Runtime>::hashed_key().to_vec())
        .unwrap_or_default();
    storage(node, pallet_compute_staking::EraWork::<Runtime>::hashed_key_for(era, provider))
        .unwrap_or_default()
}

#[test]
fn two_workers_serve_the_chains_canaries_and_are_credited_its_work() {
    let node = Node::start_dev(NodeOptions { canaries: true, ..Default::default() });
    let dir = tempfile::tempdir().expect("a temporary directory");
    let binary = worker_binary();
    let bob = Worker::start(&binary, "//Bob", &node, &dir.path().join("bob"), free_port(), &[]);
    let charlie = Worker::start(&binary, "//Charlie", &node, &dir.path().join("charlie"), free_port(), &[]);
    let all = [&bob, &charlie];
    let deadline = Instant::now() + Duration::from_secs(180);
    while ["//Bob", "//Charlie"].iter().any(|k| stats(&node, k).is_none()) {
        assert!(Instant::now() < deadline, "the workers did not register{}", logs(&node, &all));
        std::thread::sleep(Duration::from_millis(500));
    }

    // The first canary issued after both registered draws both (the only providers): wait for one that
    // names them and follow it to its end.
    let canary_account = pallet_compute_jobs::Pallet::<Runtime>::canary_account();
    let providers = [account("//Bob"), account("//Charlie")];
    let deadline = Instant::now() + Duration::from_secs(240);
    let mut next: JobId = 0;
    let canary = loop {
        assert!(Instant::now() < deadline, "no canary was assigned to both workers{}", logs(&node, &all));
        match job(&node, next) {
            Some(JobDetails::Open(open)) => {
                assert_eq!(open.requester, canary_account, "only the chain issues jobs here");
                let drawn: Vec<AccountId> = open.replicas.iter().map(|r| r.provider.clone()).collect();
                if providers.iter().all(|p| drawn.contains(p)) {
                    assert_eq!((open.escrow, open.fee, open.spec.reward_per_replica), (0, 0, 0));
                    break next;
                }
                next += 1;
            }
            // A canary issued before both registered.
            Some(JobDetails::Finished(_)) => next += 1,
            None => std::thread::sleep(Duration::from_millis(500)),
        }
    };
    let work_before: Vec<u64> = providers.iter().map(|p| era_work(&node, p)).collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    let record = loop {
        if let Some(JobDetails::Finished(record)) = job(&node, canary) {
            break record;
        }
        assert!(Instant::now() < deadline, "canary {canary} did not finish{}", logs(&node, &all));
        std::thread::sleep(Duration::from_millis(250));
    };
    assert!(
        matches!(record.outcome, JobResult::Completed { .. }),
        "both workers revealed the same root: {record:?}{}",
        logs(&node, &all)
    );
    for (i, (key, provider)) in ["//Bob", "//Charlie"].iter().zip(&providers).enumerate() {
        let after = era_work(&node, provider);
        assert!(
            after >= work_before[i] + u64::from(CANARY_MESSAGES),
            "{key} is credited the canary's work ({} -> {after})",
            work_before[i]
        );
        let stats = stats(&node, key).expect("registered");
        assert!(stats.reputation.jobs_completed >= 1, "{key}: {stats:?}");
        assert_eq!(stats.reputation.total_slashed, 0, "{key} is never slashed for honest work");
        assert_eq!(stats.reputation.total_earned, 0, "a canary pays no reward, only the era's emission");
    }
}
