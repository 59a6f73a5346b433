#!/usr/bin/env bash
# Builds the lying worker of the end-to-end tests: `gpu-worker` with the test-only `fault-injection` feature,
# in the `fault-injection` profile, so it lands in ${CARGO_TARGET_DIR:-target}/fault-injection/ and the
# release binary never has the switch. The first build compiles the worker's dependencies once more
# (about 10 minutes on two cores); later builds reuse them.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "[build] gpu-worker with the fault-injection feature (profile fault-injection)"
cargo build --profile fault-injection -p gpu-worker --features fault-injection
