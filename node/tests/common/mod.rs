//! Starts the real node binary on free local ports and talks JSON-RPC to it.

#![allow(dead_code)]

pub mod workers;

use std::{
    fs::File,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use codec::{Decode, Encode};
use compute_runtime::{
    extrinsic::SigningContext, AccountId, Balance, Hash, Nonce, Runtime, UncheckedExtrinsic,
};
use serde_json::{json, Value};

/// Path of the node binary that cargo built for these tests.
pub const NODE_BINARY: &str = env!("CARGO_BIN_EXE_compute-node");

/// How long a node may take to do what a test waits for. Generous: CI machines are slow and shared.
pub const PATIENCE: Duration = Duration::from_secs(120);

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).expect("a free port").port()
}

/// A running node; killed when dropped.
pub struct Node {
    child: Option<Child>,
    /// The JSON-RPC port (HTTP and WebSocket).
    pub rpc_port: u16,
    /// Where its log goes.
    pub log_path: PathBuf,
    _log_dir: tempfile::TempDir,
}

/// How to start a node.
#[derive(Default)]
pub struct NodeOptions<'a> {
    /// `--base-path`; `--tmp` when `None`.
    pub base_path: Option<&'a Path>,
    /// Ports to use; fresh ones when `None`.
    pub rpc_port: Option<u16>,
    /// `--chain <file>` as a non-authority instead of `--dev`.
    pub chain_spec: Option<&'a Path>,
    /// Another node binary (a benchmark build) instead of this package's.
    pub binary: Option<&'a Path>,
    /// More command-line arguments.
    pub extra_args: &'a [&'a str],
    /// Whether the dev chain issues its canary jobs (every minute, to whichever providers are registered).
    /// Off by default: the tests that count a provider's jobs, slashes and payments see only their own
    /// jobs. Off, the node runs the `dev` spec with `canaryInterval` 0 as Alice, the only validator.
    pub canaries: bool,
}

/// The node's `dev` chain spec with canaries switched off, written to `dir`.
fn dev_spec_without_canaries(binary: &Path, dir: &Path) -> PathBuf {
    let out = Command::new(binary)
        .args(["build-spec", "--chain", "dev"])
        .stderr(Stdio::null())
        .output()
        .expect("the node binary runs");
    assert!(out.status.success(), "build-spec --chain dev failed");
    let mut spec: Value = serde_json::from_slice(&out.stdout).expect("the dev spec is JSON");
    let jobs = spec
        .pointer_mut("/genesis/runtimeGenesis/patch/computeJobs")
        .and_then(Value::as_object_mut)
        .expect("the dev spec configures computeJobs");
    assert!(jobs.contains_key("canaryInterval"), "the dev spec sets canaryInterval");
    jobs.insert("canaryInterval".into(), json!(0));
    let path = dir.join("dev-without-canaries.json");
    std::fs::write(&path, serde_json::to_vec(&spec).expect("JSON")).expect("the spec is written");
    path
}

impl Node {
    /// Starts `compute-node --dev` (or `--chain <file>`; see [`NodeOptions::canaries`]) and waits until its
    /// RPC answers.
    pub fn start_dev(options: NodeOptions) -> Node {
        let rpc_port = options.rpc_port.unwrap_or_else(free_port);
        let log_dir = tempfile::tempdir().expect("a temporary directory");
        let log_path = log_dir.path().join("node.log");
        let log = File::create(&log_path).expect("a log file");
        let binary = options.binary.unwrap_or(Path::new(NODE_BINARY));
        let mut command = Command::new(binary);
        match (options.chain_spec, options.canaries) {
            (Some(spec), _) => command.arg("--chain").arg(spec),
            (None, true) => command.arg("--dev"),
            (None, false) => command
                .arg("--chain")
                .arg(dev_spec_without_canaries(binary, log_dir.path()))
                .args(["--alice", "--validator", "--force-authoring", "--rpc-cors", "all"])
                .arg("--unsafe-force-node-key-generation"),
        };
        command
            .args(["--no-mdns", "--no-prometheus", "--no-telemetry"])
            .args(["--rpc-port", &rpc_port.to_string(), "--port", &free_port().to_string()])
            .args(options.extra_args)
            .stdout(Stdio::null())
            .stderr(log);
        match options.base_path {
            Some(path) => command.arg("--base-path").arg(path),
            None => command.arg("--tmp"),
        };
        let child = command.spawn().expect("the node binary starts");
        let node = Node { child: Some(child), rpc_port, log_path, _log_dir: log_dir };
        node.wait_until("the RPC server answers", || node.try_rpc("system_health", json!([])).ok());
        node
    }

    /// The node's log so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Calls a JSON-RPC method; `Err` carries the JSON-RPC error object or the transport error.
    pub fn try_rpc(&self, method: &str, params: Value) -> Result<Value, Value> {
        let request = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
        let response = ureq::post(&format!("http://127.0.0.1:{}", self.rpc_port))
            .timeout(Duration::from_secs(30))
            .send_json(request)
            .map_err(|error| json!({ "transport": error.to_string() }))?;
        let mut body: Value = response.into_json().map_err(|error| json!({ "decode": error.to_string() }))?;
        match body.get_mut("error") {
            Some(error) => Err(error.take()),
            None => Ok(body["result"].take()),
        }
    }

    /// Calls a JSON-RPC method that must succeed.
    pub fn rpc(&self, method: &str, params: Value) -> Value {
        self.try_rpc(method, params)
            .unwrap_or_else(|error| panic!("{method} failed: {error}\n--- node log ---\n{}", self.log()))
    }

    /// Polls `probe` every 250 ms until it returns `Some`, or fails the test after [`PATIENCE`].
    pub fn wait_until<T>(&self, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(value) = probe() {
                return value;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting until {what}\n--- node log ---\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    fn header_number(&self, hash: Option<&Value>) -> u32 {
        let params = hash.map_or_else(|| json!([]), |hash| json!([hash]));
        let header = self.rpc("chain_getHeader", params);
        let number = header["number"].as_str().expect("a header has a number");
        u32::from_str_radix(number.trim_start_matches("0x"), 16).expect("a hex block number")
    }

    /// Height of the best block.
    pub fn best_number(&self) -> u32 {
        self.header_number(None)
    }

    /// Height of the last finalized block.
    pub fn finalized_number(&self) -> u32 {
        let head = self.rpc("chain_getFinalizedHead", json!([]));
        self.header_number(Some(&head))
    }

    /// Hash of block 0.
    pub fn genesis_hash(&self) -> Hash {
        decode_hex_hash(&self.rpc("chain_getBlockHash", json!([0])))
    }

    /// What a transaction for this chain must commit to.
    pub fn signing_context(&self) -> SigningContext {
        let version = self.rpc("state_getRuntimeVersion", json!([]));
        SigningContext {
            genesis_hash: self.genesis_hash(),
            spec_version: version["specVersion"].as_u64().expect("specVersion") as u32,
            transaction_version: version["transactionVersion"].as_u64().expect("transactionVersion") as u32,
        }
    }

    /// The next nonce of an account, counting transactions in the pool.
    pub fn next_nonce(&self, account: &AccountId) -> Nonce {
        use sp_core::crypto::Ss58Codec;
        self.rpc("system_accountNextIndex", json!([account.to_ss58check()])).as_u64().expect("a nonce")
            as Nonce
    }

    /// Free balance of an account at the best block, read from storage.
    pub fn free_balance(&self, account: &AccountId) -> Balance {
        self.account_data(account).free
    }

    /// Balances of an account at the best block (free, and reserved: what holds keep), read from storage.
    pub fn account_data(&self, account: &AccountId) -> pallet_balances::AccountData<Balance> {
        let key = frame_system::Account::<Runtime>::hashed_key_for(account);
        match self.rpc("state_getStorage", json!([format!("0x{}", hex::encode(key))])) {
            Value::Null => Default::default(),
            value => {
                let bytes = decode_hex(&value);
                let info = frame_system::AccountInfo::<Nonce, pallet_balances::AccountData<Balance>>::decode(
                    &mut &bytes[..],
                )
                .expect("AccountInfo decodes");
                info.data
            }
        }
    }

    /// Submits an extrinsic; `Err` is the JSON-RPC error.
    pub fn submit(&self, extrinsic: &UncheckedExtrinsic) -> Result<Value, Value> {
        self.submit_bytes(&extrinsic.encode())
    }

    /// Submits raw bytes as an extrinsic.
    pub fn submit_bytes(&self, bytes: &[u8]) -> Result<Value, Value> {
        self.try_rpc("author_submitExtrinsic", json!([format!("0x{}", hex::encode(bytes))]))
    }

    /// Stops the node with SIGINT, as Ctrl-C would, and waits for it to exit.
    pub fn stop(mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").args(["-s", "INT", &child.id().to_string()]).status();
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
            panic!("the node did not stop on SIGINT within 60 s\n--- node log ---\n{}", self.log());
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Calls a runtime API function through `state_call` at the best block and decodes its result.
pub fn state_call<R: Decode>(node: &Node, method: &str, args: impl Encode) -> R {
    let result = node.rpc("state_call", json!([method, format!("0x{}", hex::encode(args.encode()))]));
    R::decode(&mut &decode_hex(&result)[..])
        .unwrap_or_else(|e| panic!("{method} result does not decode: {e}"))
}

/// `state_call` at the block `hash`.
pub fn state_call_at<R: Decode>(node: &Node, method: &str, args: impl Encode, hash: &Value) -> R {
    let args = format!("0x{}", hex::encode(args.encode()));
    let result = node.rpc("state_call", json!([method, args, hash]));
    R::decode(&mut &decode_hex(&result)[..])
        .unwrap_or_else(|e| panic!("{method} result does not decode: {e}"))
}

/// The folder of the polkadot-js scripts.
pub fn e2e_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/e2e")
}

/// Runs one of the polkadot-js scripts against `node` (with more arguments); fails the test with the
/// script's output.
pub fn run_script_with(node: &Node, script: &str, args: &[&str]) {
    let dir = e2e_dir();
    assert!(
        dir.join("node_modules/@polkadot/api").is_dir(),
        "the polkadot-js packages are not installed: run scripts/setup.sh (it runs `npm ci` in scripts/e2e)"
    );
    let output = Command::new("node")
        .arg(script)
        .arg(format!("ws://127.0.0.1:{}", node.rpc_port))
        .args(args)
        .current_dir(&dir)
        .output()
        .expect("Node.js runs (scripts/setup.sh installs it)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("PASS"),
        "{script} failed ({})\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}\n--- node log ---\n{}",
        output.status,
        node.log()
    );
}

/// Runs one of the polkadot-js scripts against `node`.
pub fn run_script(node: &Node, script: &str) {
    run_script_with(node, script, &[]);
}

/// Bytes of a `0x…` JSON string.
pub fn decode_hex(value: &Value) -> Vec<u8> {
    let text = value.as_str().expect("a hex string");
    hex::decode(text.trim_start_matches("0x")).expect("valid hex")
}

/// A hash from a `0x…` JSON string.
pub fn decode_hex_hash(value: &Value) -> Hash {
    Hash::from_slice(&decode_hex(value))
}
