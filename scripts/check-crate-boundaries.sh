#!/usr/bin/env bash
# Checks that the crates' dependencies point one way (docs/DESIGN.md §1): what each crate must never depend on,
# directly or through another crate. `cargo tree` reads the lock file only; nothing is built.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
# crate: the crates it must not reach (normal dependencies, every feature its dependents can enable).
check() {
  local crate="$1"
  shift
  local tree ok=1
  tree="$(cargo tree --offline -p "$crate" -e normal --prefix none --format '{p}' 2>/dev/null | awk '{print $1}' | sort -u)"
  for forbidden in "$@"; do
    if grep -qx "$forbidden" <<< "$tree"; then
      echo "[boundaries] $crate depends on $forbidden: $(cargo tree --offline -p "$crate" -e normal -i "$forbidden" --prefix none 2>/dev/null | head -3 | tr '\n' ' ')" >&2
      status=1
      ok=0
    fi
  done
  if ((ok)); then
    echo "[boundaries] $crate: none of $*"
  fi
}

check compute-kernel-sources compute-primitives wgpu naga
check compute-executor subxt tokio clap hyper compute-kernels compute-client
check compute-kernels subxt tokio clap hyper compute-client
check compute-client wgpu naga compute-executor compute-kernels
check compute-runtime wgpu naga compute-executor compute-kernels compute-client
# The sources crate has no dependencies at all.
if [[ "$(cargo tree --offline -p compute-kernel-sources -e normal --prefix none --depth 1 2>/dev/null | wc -l)" != 1 ]]; then
  echo "[boundaries] compute-kernel-sources has dependencies" >&2
  status=1
fi
exit "$status"
