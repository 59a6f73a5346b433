#!/usr/bin/env bash
# Builds the node with `--features runtime-benchmarks` and leaves it at
# ${CARGO_TARGET_DIR:-target}/release/compute-node-benchmarks, for scripts/benchmark-weights.sh and
# scripts/benchmark-jobs.sh. That build shares target/release/wbuild with the normal one, so runtime/build.rs is
# touched afterwards: the next normal build rebuilds the runtime's Wasm without the benchmark feature.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
trap 'touch runtime/build.rs' EXIT
echo "[benchmark-node] building the node with runtime-benchmarks"
cargo build --release -p compute-node --features runtime-benchmarks
cp "$target_dir/release/compute-node" "$target_dir/release/compute-node-benchmarks"
