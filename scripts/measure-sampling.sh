#!/usr/bin/env bash
# Measures the staking pallet's sampler in the runtime (Wasm, compiled) at several provider counts with the
# node's `benchmark pallet` command, worst case (no provider eligible: every draw is made, read and
# refused). Prints, per count, the median extrinsic time of REPEAT runs, the storage reads (distinct and
# repeated) and the proof size. Needs the benchmark node (scripts/build-benchmark-node.sh).
#   COUNTS="10 1000 10000" REPEAT=20 ./scripts/measure-sampling.sh
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
node_bin="$target_dir/release/compute-node-benchmarks"
counts="${COUNTS:-10 1000 10000}"
repeat="${REPEAT:-20}"
[ -x "$node_bin" ] || { echo "[sampling] no $node_bin: building it"; ./scripts/build-benchmark-node.sh; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

printf '%10s %14s %8s %13s %12s\n' providers "median time" reads "repeat reads" "proof bytes"
for n in $counts; do
  "$node_bin" benchmark pallet --chain dev --pallet pallet_compute_staking --extrinsic sample \
    --steps 2 --repeat "$repeat" --low "$n" --high "$n" --wasm-execution compiled \
    --json-file "$work/$n.json" > "$work/$n.log" 2>&1 || { cat "$work/$n.log"; exit 1; }
  python3 - "$work/$n.json" "$n" <<'PY'
import json, statistics, sys
runs = json.load(open(sys.argv[1]))[0]["db_results"]
median_us = statistics.median(r["extrinsic_time"] for r in runs) / 1000
r = runs[0]
print(f"{sys.argv[2]:>10} {median_us:>11.1f} µs {r['reads']:>8} {r['repeat_reads']:>13} {r['proof_size']:>12}")
PY
done
