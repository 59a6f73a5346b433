//! The metadata checked in for the worker's client (`gpu-worker/client/metadata/compute-chain.scale`, from
//! which subxt generates its calls, storage and events) is this runtime's. Regenerate it with
//! `scripts/generate-chain-specs.sh` (or `UPDATE_METADATA=1 cargo test --release -p compute-runtime --test
//! metadata`) after any runtime change.

use std::path::PathBuf;

use compute_runtime::Runtime;

/// The metadata version subxt generates its code from.
const VERSION: u32 = 15;

fn checked_in() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../gpu-worker/client/metadata/compute-chain.scale")
}

#[test]
fn the_clients_metadata_is_the_runtimes() {
    let metadata = Runtime::metadata_at_version(VERSION).expect("the runtime serves metadata v15");
    let bytes: &[u8] = &metadata;
    let path = checked_in();
    if std::env::var_os("UPDATE_METADATA").is_some() {
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let on_disk = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    assert!(
        on_disk == bytes,
        "{} is stale ({} bytes checked in, the runtime's are {} bytes): run scripts/generate-chain-specs.sh",
        path.display(),
        on_disk.len(),
        bytes.len()
    );
}
