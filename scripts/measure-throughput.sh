#!/usr/bin/env bash
# How many concurrent jobs three workers on this machine sustain: starts a dev node and three workers
# (Bob, Charlie, Dave; lavapipe without a GPU), submits a burst of JOBS 3-replica Mandelbrot jobs (SIZE x SIZE)
# from six requesters at once, and prints how long and how many blocks it took until every job completed.
# Environment: JOBS (24), SIZE (256), MAX_JOBS (slots per worker, 16), RPC_PORT (9966).
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${CARGO_TARGET_DIR:-target}/release"
jobs="${JOBS:-24}"
size="${SIZE:-256}"
rpc_port="${RPC_PORT:-9966}"
ws="ws://127.0.0.1:$rpc_port"
work="$(mktemp -d -t compute-throughput.XXXXXX)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

echo "[throughput] dev node and three workers (logs in $work)"
"$bin/compute-node" --dev --tmp --rpc-port "$rpc_port" --port 0 --no-prometheus >"$work/node.log" 2>&1 &
pids+=($!)
sleep 5
port=8291
for who in Bob Charlie Dave; do
  "$bin/gpu-worker" run --node "$ws" --suri "//$who" --data-dir "$work/$who" --listen "127.0.0.1:$port" \
    --max-jobs "${MAX_JOBS:-16}" --benchmark-score 1 >"$work/$who.log" 2>&1 &
  pids+=($!)
  port=$((port + 1))
done
for who in Bob Charlie Dave; do
  until "$bin/gpu-worker" rewards --node "$ws" "//$who" 2>/dev/null | grep -q ": active"; do sleep 1; done
done

best() { curl -s -H 'Content-Type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"chain_getHeader","params":[]}' \
  "http://127.0.0.1:$rpc_port" | sed -E 's/.*"number":"0x([0-9a-f]+)".*/\1/' | xargs -I{} printf '%d' 0x{}; }

requesters=(//Alice //Ferdie //Eve //Alice//stash //Bob//stash //Charlie//stash)
per=$(( (jobs + ${#requesters[@]} - 1) / ${#requesters[@]} ))
echo "[throughput] submitting $jobs jobs (${size}x${size} Mandelbrot, 3 replicas) from ${#requesters[@]} requesters"
start_block=$(best)
start=$(date +%s.%N)
submitted=0
submitters=()
for r in "${requesters[@]}"; do
  n=$(( jobs - submitted < per ? jobs - submitted : per ))
  [ "$n" -le 0 ] && break
  submitted=$((submitted + n))
  ( for _ in $(seq "$n"); do
      "$bin/gpu-worker" submit --node "$ws" --suri "$r" --kernel builtin:mandelbrot --arg "width=$size" \
        --arg "height=$size" --replicas 3 --reward 0.01 --commit-window 100 --reveal-window 50 \
        --queue-window 400 --no-wait 2>>"$work/submit.log"
    done ) >>"$work/ids" &
  submitters+=($!)
done
# Bob's open assignments (ComputeApi_assignments), polled while the burst runs and until every job ended.
bob=0x8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48
assigned_to_bob() {
  local hex b0 b1
  hex=$(curl -s -H 'Content-Type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"state_call\",\"params\":[\"ComputeApi_assignments\",\"$bob\"]}" \
    "http://127.0.0.1:$rpc_port" | sed -E 's/.*"result":"0x([0-9a-f]*)".*/\1/')
  b0=$((16#${hex:0:2})); b1=0; [ ${#hex} -ge 4 ] && b1=$((16#${hex:2:2}))
  if (( (b0 & 3) == 0 )); then echo $((b0 >> 2)); else echo $(( ((b1 << 8) | b0) >> 2 )); fi
}
peak=0
while :; do
  running=0
  for pid in "${submitters[@]}"; do kill -0 "$pid" 2>/dev/null && running=1; done
  open=$(assigned_to_bob)
  [ "$open" -gt "$peak" ] && peak=$open
  if [ "$running" -eq 0 ] && [ "$open" -eq 0 ]; then break; fi
  sleep 0.5
done
echo "[throughput] submitted $(wc -l <"$work/ids") jobs; Bob never had more than $peak open at once"
while read -r id; do
  until "$bin/gpu-worker" status --node "$ws" "$id" | grep -q "completed"; do sleep 1; done
done <"$work/ids"
end=$(date +%s.%N)

peak=0
while :; do
  open=0
  while read -r id; do
    "$bin/gpu-worker" status --node "$ws" "$id" | grep -q "completed" || open=$((open + 1))
  done <"$work/ids"
  [ "$open" -gt "$peak" ] && peak=$open
  [ "$open" -eq 0 ] && break
  sleep 2
done
end=$(date +%s.%N)
end_block=$(best)
seconds=$(echo "$end - $start" | bc)
echo "[throughput] all $jobs jobs completed $seconds s and $((end_block - start_block)) blocks after the burst began"
echo "[throughput] $(echo "scale=2; $jobs / $seconds" | bc) jobs/s; each job ran 3 times: $(echo "scale=2; 3 * $jobs / $seconds" | bc) executions/s on 3 workers"
