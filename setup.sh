#!/usr/bin/env bash
# One-time setup on a fresh Debian bookworm machine: system packages (Mesa lavapipe for WebGPU without a
# GPU, Chromium for browser tests, Open MPI for the mpirun test; needs root or sudo) and the npm dependencies.
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/system-deps.sh
if [ ! -d node_modules/webgpu ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
