#!/usr/bin/env bash
# The jobs pallet's per-transaction target (issue #4): times `submit_job` (assignment among 1 000
# providers), `commit_result` and `reveal_result` against a balance transfer with the node's
# `benchmark extrinsic`, on a `benchmark` chain prepared by node/tests/job_benchmarks.rs.
# Needs a node built with `--features runtime-benchmarks` (built here, as scripts/benchmark-weights.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
./scripts/build-benchmark-node.sh
echo "[jobs-bench] preparing the benchmark chain and timing the calls (several minutes)"
BENCHMARK_NODE="$(realpath "$target_dir/release/compute-node-benchmarks")" \
  cargo test --release --workspace --test job_benchmarks -- --ignored --nocapture
