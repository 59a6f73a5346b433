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
./scripts/check-crate-boundaries.sh
./scripts/build-faulty-worker.sh
# The executor first, alone: it builds and its GPU tests run without the chain client or the kernel library.
echo "[test] cargo test --release -p compute-executor"
cargo test --release -p compute-executor
echo "[test] cargo test --release --workspace --exclude compute-executor"
cargo test --release --workspace --exclude compute-executor
# Benchmarks need the `runtime-benchmarks` feature, which would change every FRAME crate if it were enabled
# for the whole workspace; the pallets' graphs alone are small.
echo "[test] pallet benchmarks as tests"
cargo test --release -p pallet-compute-staking -p pallet-compute-jobs \
  --features pallet-compute-staking/runtime-benchmarks,pallet-compute-jobs/runtime-benchmarks benchmark
echo "[test] all tests passed"
