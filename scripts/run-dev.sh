#!/usr/bin/env bash
# One command for a new user: installs prerequisites, builds, starts a development chain (Alice authors with
# BABE and finalizes with GRANDPA; RPC on ws://127.0.0.1:9944) with two GPU workers serving it (Bob and
# Charlie, on lavapipe when there is no GPU), submits a Mandelbrot job with 2 replicas, waits for the chain
# to verify it, downloads the output from a provider, checks it against the result root on chain, and
# writes mandelbrot.png. The chain and the workers keep running until Ctrl-C.
#
# Environment: RPC_PORT (9944), DEMO_DIR (a temporary directory), DEMO_OUT (./mandelbrot.png),
# NO_DEMO_JOB=1 to only start the chain and the workers.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
./scripts/build.sh
bin="${CARGO_TARGET_DIR:-target}/release"
rpc_port="${RPC_PORT:-9944}"
ws="ws://127.0.0.1:${rpc_port}"
demo_dir="${DEMO_DIR:-$(mktemp -d -t compute-demo.XXXXXX)}"
out="${DEMO_OUT:-$PWD/mandelbrot.png}"
mkdir -p "$demo_dir"

pids=()
cleanup() {
  trap - EXIT INT TERM
  echo "[run-dev] stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

echo "[run-dev] starting a development chain (log: $demo_dir/node.log)"
"$bin/compute-node" --dev --tmp --rpc-port "$rpc_port" --rpc-cors all "$@" >"$demo_dir/node.log" 2>&1 &
pids+=($!)
for _ in $(seq 120); do
  if curl -sf -H 'Content-Type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"system_health","params":[]}' \
    "http://127.0.0.1:${rpc_port}" >/dev/null 2>&1; then break; fi
  sleep 0.5
done

port=8081
for who in Bob Charlie; do
  echo "[run-dev] starting a GPU worker for //$who: outputs on http://127.0.0.1:$port (log: $demo_dir/$who.log)"
  "$bin/gpu-worker" run --node "$ws" --suri "//$who" --data-dir "$demo_dir/$who" \
    --listen "127.0.0.1:$port" --bond 1000 --ask 0.001 >"$demo_dir/$who.log" 2>&1 &
  pids+=($!)
  port=$((port + 1))
done

if [[ "${NO_DEMO_JOB:-}" != 1 ]]; then
  echo "[run-dev] submitting a 512x384 Mandelbrot job with 2 replicas as //Alice (waits for the workers to register)"
  "$bin/gpu-worker" submit --node "$ws" --suri //Alice --kernel builtin:mandelbrot \
    --arg width=512 --arg height=384 --replicas 2 --reward 0.01 --out "$out"
  echo "[run-dev] $out is the verified output"
fi
echo "[run-dev] the chain and two workers are running; Ctrl-C to stop"
wait
