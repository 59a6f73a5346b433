#!/usr/bin/env bash
# Measures the weights of the compute pallets with the node's `benchmark pallet` command and writes them to
# pallets/<name>/src/weights.rs. Needs a node built with `--features runtime-benchmarks` (built here).
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
steps="${STEPS:-50}"
repeat="${REPEAT:-20}"
./scripts/build-benchmark-node.sh
node_bin="$target_dir/release/compute-node-benchmarks"

for pallet in "$@"; do
  crate_dir="pallets/${pallet#pallet_compute_}"
  echo "[weights] $pallet -> $crate_dir/src/weights.rs (steps $steps, repeat $repeat)"
  "$node_bin" benchmark pallet --chain dev --pallet "$pallet" --extrinsic '*' \
    --steps "$steps" --repeat "$repeat" --wasm-execution compiled \
    --template .maintain/frame-weight-template.hbs --output "$crate_dir/src/weights.rs"
done
