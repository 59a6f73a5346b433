#!/usr/bin/env bash
# Starts a 4-validator `local` network (Alice, Bob, Charlie, Dave) on loopback from chain-specs/local-raw.json,
# and 3 GPU workers serving it (providers //Eve, //Ferdie and //Charlie: endowed development accounts).
# One base path and one port set per node under .local-testnet/; logs in .local-testnet/<name>.log.
# Ctrl-C stops every node and worker cleanly. Ports: p2p 30333+i, RPC 9944+i (override with BASE_P2P_PORT /
# BASE_RPC_PORT), worker outputs on 8181+i (BASE_WORKER_PORT). WORKERS=0 starts no workers.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
node_bin="${NODE_BIN:-$target_dir/release/compute-node}"
base_p2p="${BASE_P2P_PORT:-30333}"
base_rpc="${BASE_RPC_PORT:-9944}"
work=".local-testnet"
spec="chain-specs/local-raw.json"

worker_bin="${WORKER_BIN:-$target_dir/release/gpu-worker}"
base_worker="${BASE_WORKER_PORT:-8181}"
if [ ! -x "$node_bin" ] || [ ! -x "$worker_bin" ]; then
  echo "[testnet] building the node (release)"
  ./scripts/build.sh
fi
mkdir -p "$work"

# Alice's network key is fixed so that the others can find her; its peer id is derived from the key.
alice_key="0000000000000000000000000000000000000000000000000000000000000001"
alice_peer="$("$node_bin" key inspect-node-key --file <(printf '%s' "$alice_key"))"
bootnode="/ip4/127.0.0.1/tcp/$base_p2p/p2p/$alice_peer"

pids=()
stop() {
  echo
  echo "[testnet] stopping ${#pids[@]} nodes"
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  wait || true
  echo "[testnet] stopped"
}
trap stop INT TERM

i=0
for name in alice bob charlie dave; do
  p2p=$((base_p2p + i)); rpc=$((base_rpc + i))
  node_key="$(printf '%064x' $((i + 1)))"
  args=(--chain "$spec" --"$name" --base-path "$work/$name" --port "$p2p" --rpc-port "$rpc"
        --node-key "$node_key" --no-mdns --no-telemetry --no-prometheus --rpc-cors all)
  [ "$name" != alice ] && args+=(--bootnodes "$bootnode")
  "$node_bin" "${args[@]}" >"$work/$name.log" 2>&1 &
  pids+=($!)
  echo "[testnet] $name: p2p $p2p, rpc ws://127.0.0.1:$rpc, log $work/$name.log"
  i=$((i + 1))
done

# The workers follow Alice's node; each registers its account as a provider (endowed dev accounts).
i=0
for who in Eve Ferdie Charlie; do
  [ "${WORKERS:-3}" -le "$i" ] && break
  port=$((base_worker + i))
  "$worker_bin" run --node "ws://127.0.0.1:$base_rpc" --suri "//$who" --data-dir "$work/worker-$who" \
    --listen "127.0.0.1:$port" --bond 1000 --ask 0.001 >"$work/worker-$who.log" 2>&1 &
  pids+=($!)
  echo "[testnet] worker //$who: outputs on http://127.0.0.1:$port, log $work/worker-$who.log"
  i=$((i + 1))
done

echo "[testnet] running; Ctrl-C to stop. Finality: grep 'finalized' $work/alice.log"
wait
