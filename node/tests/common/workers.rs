//! `gpu-worker run` providers and the worker CLI, for the tests that run a market on one machine.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use compute_primitives::{JobDetails, JobId};
use compute_runtime::{AccountId, Balance, BlockNumber};
use pallet_compute_staking::ProviderStats;
use sp_keyring::Sr25519Keyring;

use super::{state_call, Node, NODE_BINARY};

/// A provider's record as the runtime API returns it.
pub type Stats = ProviderStats<Balance, BlockNumber>;
/// A job as the runtime API returns it.
pub type Details = JobDetails<AccountId, Balance, BlockNumber>;

/// The release build of the worker, next to the node binary.
pub fn worker_binary() -> PathBuf {
    Path::new(NODE_BINARY).with_file_name("gpu-worker")
}

/// The lying worker (`gpu-worker-faulty`, built with the `fault-injection` feature), next to the node binary.
pub fn faulty_worker_binary() -> PathBuf {
    let path = Path::new(NODE_BINARY).with_file_name("gpu-worker-faulty");
    assert!(
        path.is_file(),
        "{} is missing: scripts/test.sh builds it (see scripts/build-faulty-worker.sh)",
        path.display()
    );
    path
}

/// A `gpu-worker run` process; killed when dropped.
pub struct Worker {
    child: Option<Child>,
    /// The provider's dev key (`//Bob`).
    pub key: &'static str,
    /// Its data directory.
    pub data_dir: PathBuf,
    /// Its HTTP port.
    pub port: u16,
    log_path: PathBuf,
}

impl Worker {
    pub fn start(
        binary: &Path,
        key: &'static str,
        node: &Node,
        data_dir: &Path,
        port: u16,
        extra: &[&str],
    ) -> Worker {
        std::fs::create_dir_all(data_dir).expect("a data directory");
        let log_path = unique_log(data_dir);
        let log = File::create(&log_path).expect("a log file");
        let child = Command::new(binary)
            .arg("run")
            .args(["--node", &format!("ws://127.0.0.1:{}", node.rpc_port)])
            .args(["--suri", key])
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .env("GPU_WORKER_LOG", "debug")
            .args(["--benchmark-score", "1", "--bond", "1000", "--ask", "0.001", "--max-jobs", "4"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the worker binary starts");
        Worker { child: Some(child), key, data_dir: data_dir.to_owned(), port, log_path }
    }

    /// This run's log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The logs of every run on this data directory, oldest first.
    pub fn all_logs(&self) -> String {
        (0..)
            .map(|i| self.data_dir.with_extension(format!("{i}.log")))
            .take_while(|p| p.exists())
            .map(|p| format!("[{}]\n{}", p.display(), std::fs::read_to_string(&p).unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `<data dir>.<n>.log`, the first that does not exist (one log per start of a worker).
pub fn unique_log(base: &Path) -> PathBuf {
    (0..).map(|i| base.with_extension(format!("{i}.log"))).find(|p| !p.exists()).expect("a free log name")
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn account(key: &str) -> AccountId {
    match key {
        "//Bob" => Sr25519Keyring::Bob,
        "//Charlie" => Sr25519Keyring::Charlie,
        "//Dave" => Sr25519Keyring::Dave,
        "//Eve" => Sr25519Keyring::Eve,
        "//Ferdie" => Sr25519Keyring::Ferdie,
        other => panic!("no dev account {other}"),
    }
    .to_account_id()
}

pub fn stats(node: &Node, key: &str) -> Option<Stats> {
    state_call(node, "ComputeApi_provider_stats", account(key))
}

pub fn job(node: &Node, job_id: JobId) -> Option<Details> {
    state_call(node, "ComputeApi_job", job_id)
}

pub fn logs(node: &Node, workers: &[&Worker]) -> String {
    let mut out = String::new();
    for w in workers {
        out += &format!("\n--- worker {} logs ---\n{}", w.key, w.all_logs());
    }
    out + &format!("\n--- node log (tail) ---\n{}", tail(&node.log(), 4000))
}

pub fn tail(text: &str, n: usize) -> &str {
    let start = text.len().saturating_sub(n);
    let start = (start..text.len()).find(|i| text.is_char_boundary(*i)).unwrap_or(text.len());
    &text[start..]
}

/// Runs the worker CLI (`submit`, `fetch`, `exec`) to its end.
pub fn cli(args: &[&str]) -> Output {
    Command::new(worker_binary()).args(args).output().expect("the worker CLI runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
