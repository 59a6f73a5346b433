#!/usr/bin/env bash
# Runs every test: pallet unit and property tests, runtime tests, the GPU worker on whatever adapter wgpu finds
# (Mesa's lavapipe on machines without a GPU), the node's end-to-end tests (the real node binary on free ports,
# polkadot-js included; a dev node with three GPU workers) and the pallets' benchmarks as tests. One cargo profile (release) for everything.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
echo "[test] cargo fmt --check"
cargo fmt --all -- --check
./scripts/check-generated-kernels.sh
./scripts/build-faulty-worker.sh
echo "[test] cargo test --release --workspace"
cargo test --release --workspace
# Benchmarks need the `runtime-benchmarks` feature, which would change every FRAME crate if it were enabled
# for the whole workspace; the pallets' graphs alone are small.
echo "[test] pallet benchmarks as tests"
cargo test --release -p pallet-compute-staking -p pallet-compute-jobs \
  --features pallet-compute-staking/runtime-benchmarks,pallet-compute-jobs/runtime-benchmarks benchmark
echo "[test] all tests passed"
