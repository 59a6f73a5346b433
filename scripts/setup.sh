#!/usr/bin/env bash
# Installs every prerequisite of the build and the tests. Idempotent: run it as often as you like.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Debian packages: protoc (the networking crates generate code from .proto files), clang for C
# dependencies, and Mesa's software Vulkan driver (lavapipe) so the GPU worker runs without a GPU.
PACKAGES=(protobuf-compiler clang libclang-dev mesa-vulkan-drivers libvulkan1 curl ca-certificates)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
else
  say "Debian packages present"
fi

if ! command -v rustup >/dev/null 2>&1; then
  say "installing rustup (stable toolchain)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi

# The runtime is compiled to Wasm for this target by substrate-wasm-builder.
if ! rustup target list --installed | grep -qx wasm32v1-none; then
  say "adding the wasm32v1-none target"
  rustup target add wasm32v1-none
else
  say "wasm32v1-none target present"
fi
if ! rustup component list --installed | grep -q '^rust-src'; then
  say "adding rust-src (the Wasm build needs the standard library sources)"
  rustup component add rust-src
fi

# Node.js runs the polkadot-js end-to-end scripts.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  say "installing Node.js and npm"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends nodejs npm
fi
if [ -f scripts/e2e/package.json ] && [ ! -d scripts/e2e/node_modules/@polkadot/api ]; then
  say "installing the polkadot-js end-to-end dependencies"
  (cd scripts/e2e && npm ci --no-audit --no-fund)
fi
say "done"
