#!/usr/bin/env bash
# One device call's worth of GPU benchmarks (see ../shared/gpu/README.md): run here first
#   npm run build && bash ../shared/gpu/bundle.sh
# then on the device tool: carry [".gpu", "dist"], command `bash bench/gpu.sh`. Prints a final table; logs go to $OUT.
set -uo pipefail
source .gpu/setup.sh
out=${OUT:-/tmp}
node dist/cli.js info | tee "$out/info.txt"
node dist/cli.js bench --rows 4194304 --features 64 --batch full,65536,4096 --backend webgpu --runs 7 --gpu-time --json | tee "$out/bench.json"
node dist/cli.js bench --upload --upload-mb 4096 --json | tee "$out/upload.json"
PYTHONUNBUFFERED=1 python3 bench/torch_ref.py --rows 4194304 --features 64 | tee "$out/torch.json"
node dist/cli.js bench --rows 4194304 --features 64 --batch 65536,4096 --backend webgpu --runs 7 --gpu-time --no-fuse
# The CPU side on the same host (16 cores): every core, f64.
node dist/cli.js bench --rows 4194304 --features 64 --batch full,65536,4096 --backend cpu-mt --runs 3
# Tuning sweeps (bench/NOTES.md "next steps"): workgroups per piece for the full batch, the fusion threshold.
for g in 264 528 2112; do node dist/cli.js bench --rows 4194304 --features 64 --batch full --backend webgpu --runs 5 --gpu-time --max-groups $g | tail -1; done
for f in 0 64 256; do node dist/cli.js bench --rows 4194304 --features 64 --batch 4096 --backend webgpu --runs 5 --gpu-time --fuse-groups $f | tail -1; done
# The final table (the reply shows the end of the output).
node dist/cli.js bench --rows 4194304 --features 64 --batch full,65536,4096 --backend webgpu --runs 7 --gpu-time
