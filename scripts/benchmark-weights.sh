#!/usr/bin/env bash
# Measures the weights of the compute pallets with the node's `benchmark pallet` command and writes them to
# pallets/<name>/src/weights.rs. Needs a node built with `--features runtime-benchmarks` (built here).
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
steps="${STEPS:-50}"
repeat="${REPEAT:-20}"
# The benchmark build shares target/release/wbuild with the normal build: afterwards, make the normal build
# rebuild the runtime's Wasm without the benchmark feature.
trap 'touch runtime/build.rs' EXIT
echo "[weights] building the node with runtime-benchmarks"
cargo build --release -p compute-node --features runtime-benchmarks
node_bin="$target_dir/release/compute-node-benchmarks"
cp "$target_dir/release/compute-node" "$node_bin"

for pallet in "$@"; do
  crate_dir="pallets/${pallet#pallet_compute_}"
  echo "[weights] $pallet -> $crate_dir/src/weights.rs (steps $steps, repeat $repeat)"
  "$node_bin" benchmark pallet --chain dev --pallet "$pallet" --extrinsic '*' \
    --steps "$steps" --repeat "$repeat" --wasm-execution compiled \
    --template .maintain/frame-weight-template.hbs --output "$crate_dir/src/weights.rs"
done
