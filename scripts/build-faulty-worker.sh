#!/usr/bin/env bash
# Builds the lying worker of the end-to-end tests: the `gpu-worker-faulty` binary, which needs the test-only
# `fault-injection` feature. It is built alone, in the release profile, so it lands next to the real worker in
# ${CARGO_TARGET_DIR:-target}/release/ and shares its dependencies: only the worker crate is compiled again,
# with the feature, and the `gpu-worker` binary is left as it is (it never has the switch).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "[build] gpu-worker-faulty (the fault-injection feature, release profile)"
cargo build --release -p gpu-worker --features fault-injection --bin gpu-worker-faulty
