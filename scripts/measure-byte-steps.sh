#!/usr/bin/env bash
# Measures how fast this machine runs kernel source, in the chain's unit (the jobs pallet's
# `ByteStepsPerBlock`): one invocation running one byte of straight-line WGSL once is a byte-step.
#
# Dense loop bodies (arithmetic, division, storage reads, storage writes, barriers) run with `gpu-worker exec` at two loop
# counts; the difference of the wall times is the loops' alone (device start-up, compilation and I/O
# cancel out). Prints byte-steps per second of each and the `ByteStepsPerBlock` they suggest: the slower
# body's rate over a block of BLOCK_MS, divided by MARGIN.
#   WORKGROUPS=64 REPEATS=200 ./scripts/measure-byte-steps.sh
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
worker="$target_dir/release/gpu-worker"
[ -x "$worker" ] || { echo "no $worker: run ./scripts/build.sh first" >&2; exit 1; }
workgroups="${WORKGROUPS:-64}"
repeats="${REPEATS:-200}"
low="${LOW:-16}"
high="${HIGH:-1040}"
block_ms="${BLOCK_MS:-3000}"
margin="${MARGIN:-4}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 - "$work" "$repeats" <<'PY'
import sys
work, repeats = sys.argv[1], int(sys.argv[2])
head = """@group(0) @binding(0) var<storage, read> i: array<u32>;
@group(0) @binding(1) var<storage, read_write> o: array<u32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
var a = i[0] + id.x; var b = a ^ 3u; var c = b + 7u;
for (var n = 0u; n < i[1]; n++) {
"""
tail = "}\no[id.x] = a ^ b ^ c;\n}\n"
bodies = {
    "alu": "a=a*b+c;b^=a>>3u;c+=a;\n",
    "div": "a=a/(b|1u)+c;b^=a;\n",
    "load": "a+=i[a&1023u];b^=a;\n",
    "store": "o[a&1023u]=b;a+=b;\n",
    "barrier": "workgroupBarrier();a+=b;\n",
}
for name, line in bodies.items():
    open(f"{work}/{name}.wgsl", "w").write(head + line * repeats + tail)
PY

printf '%6s %8s %10s %10s %16s\n' body bytes "t($low)" "t($high)" "byte-steps/s"
rates=()
for body in alu div load store barrier; do
  kernel="$work/$body.wgsl"
  bytes=$(wc -c < "$kernel")
  times=()
  for loops in "$low" "$high"; do
    # i[0] = 1, i[1] = the loop count, then zeros up to the 1 024 words the loads may index.
    input=$(python3 -c "import struct,sys; print((struct.pack('<II', 1, $loops) + bytes(4 * 1022)).hex())")
    start=$(date +%s.%N)
    "$worker" exec --kernel "$kernel" --dispatch "$workgroups,1,1" --output-len $((workgroups * 1024)) \
      --input "inline:$input" --timeout 600 > /dev/null
    end=$(date +%s.%N)
    times+=("$(python3 -c "print($end - $start)")")
  done
  rate=$(python3 -c "print(int($workgroups * 256 * ($high - $low) * $bytes / (${times[1]} - ${times[0]})))")
  rates+=("$rate")
  printf '%6s %8d %9.2fs %9.2fs %16d\n' "$body" "$bytes" "${times[0]}" "${times[1]}" "$rate"
done
python3 -c "
rates = [$(IFS=,; echo "${rates[*]}")]
print(f'ByteStepsPerBlock (slower body, {$block_ms} ms blocks, margin {$margin}): {min(rates) * $block_ms // 1000 // $margin}')"
