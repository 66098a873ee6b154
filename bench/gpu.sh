#!/usr/bin/env bash
# Issue 10's whole target table in one device call (see ../shared/gpu/README.md and bench/NOTES.md "bench/gpu.sh").
# Here first:  npm run build:cli && bash ../shared/gpu/bundle.sh
# On the device tool: carry [".gpu", "dist"], command `bash bench/gpu.sh`, timeout_s ≈ 560. Every step writes its
# JSON and log under $OUT and has its own timeout inside an overall budget (GPU_SH_BUDGET seconds, default 480); a
# failed or skipped step shows as "owed" in the final table (bench/gpu_table.mjs), which is the last thing printed.
# Dry run on any adapter (lavapipe here), tiny sizes, no .gpu needed:
#   GPU_SH_DRY=1 GPU_SH_ROWS=65536 OUT=/tmp/gpu_sh bash bench/gpu.sh
set -uo pipefail
cd "$(dirname "$0")/.."
ROWS=${GPU_SH_ROWS:-4194304}
D=${GPU_SH_FEATURES:-64}
DRY=${GPU_SH_DRY:-0}
BUDGET=${GPU_SH_BUDGET:-480}
RUNS=${GPU_SH_RUNS:-7}
out=${OUT:-/tmp/gpu_sh}
mkdir -p "$out"
: > "$out/steps.txt"
if [ -f .gpu/setup.sh ]; then
  source .gpu/setup.sh
elif [ "$DRY" != 1 ]; then
  echo "bench/gpu.sh: .gpu/setup.sh is missing: run 'bash ../shared/gpu/bundle.sh' here and carry .gpu and dist (or GPU_SH_DRY=1)" >&2
  exit 2
fi
[ -f dist/cli.js ] || { echo "bench/gpu.sh: dist/cli.js is missing: run 'npm run build:cli' and carry dist" >&2; exit 2; }
start=$(date +%s)
big="--rows $ROWS --features $D"

# step NAME SECONDS CMD...: stdout → $OUT/NAME.json, stderr → $OUT/NAME.log, status line → $OUT/steps.txt.
step() {
  local name=$1 limit=$2; shift 2
  local left=$(( BUDGET - ($(date +%s) - start) ))
  if [ "$left" -lt 15 ]; then echo "$name skipped (budget spent)" | tee -a "$out/steps.txt" >&2; return; fi
  [ "$limit" -gt "$left" ] && limit=$left
  local t0=$(date +%s)
  timeout -k 5 "$limit" "$@" > "$out/$name.json" 2> "$out/$name.log"
  local rc=$?
  local msg="$name rc=$rc $(( $(date +%s) - t0 ))s"
  [ "$rc" = 124 ] && msg="$msg (timed out after ${limit}s)"
  echo "$msg" | tee -a "$out/steps.txt" >&2
}
cli="node dist/cli.js" # word-split on purpose: timeout runs programs, not shell functions

echo "bench/gpu.sh: N = $ROWS, D = $D, budget ${BUDGET}s, dry=$DRY, output in $out" >&2
step info 30 $cli info --json
# The device's own ceilings over a buffer the size of X, then the f32 resident passes (GPU and host time per step).
step ceiling 60 $cli bench --ceiling $big --runs "$RUNS" --json
step f32 120 $cli bench $big --batch full,65536,4096 --backend webgpu --runs "$RUNS" --gpu-time --json
if [ "$DRY" = 1 ] && ! python3 -c 'import torch; assert torch.cuda.is_available()' 2> /dev/null; then
  echo "torch skipped (dry run without CUDA PyTorch)" | tee -a "$out/steps.txt" >&2
else
  step torch 120 env PYTHONUNBUFFERED=1 python3 bench/torch_ref.py $big
fi
step f16 90 $cli bench $big --batch full --backend webgpu --runs "$RUNS" --gpu-time --dtype f16 --json
step losses 150 $cli bench $big --batch full --backend webgpu --runs "$RUNS" --gpu-time --loss squared,logistic,softmax --classes 10 --json
# Streamed epoch from a .dh file in the page cache (read once by cat before the timed stages).
dh="${GPU_SH_TMP:-/tmp}/gpu_sh_stream.dh"
step gen 90 $cli gen -o "$dh" $big --seed 1
cat "$dh" > /dev/null 2>&1
step stream 150 $cli bench --stream "$dh" --batch 65536 --chunk-rows 1048576 --json
rm -f "$dh" "$dh.truth.json"
step cpu 120 $cli bench $big --batch full,65536,4096 --backend cpu --runs 3 --json
# Issue 8: µs per step of the stateful optimizers (two dispatches) against SGD's fused step.
step optim 90 $cli bench $big --batch 65536,4096 --backend webgpu --runs 5 --gpu-time --optimizer sgd,momentum,adam --json
step nofuse 90 $cli bench $big --batch 65536,4096 --backend webgpu --runs "$RUNS" --gpu-time --no-fuse --json
# Tuning sweeps for the per-adapter table (src/gpu/tuning.ts): workgroups per piece (full batch, B = 65536) and the
# fusion threshold (B = 4096: 0 never fuses).
for g in 128 512 1024 2048 4096; do
  step "groups_$g" 60 $cli bench $big --batch full,65536 --backend webgpu --runs 5 --gpu-time --max-groups "$g" --json
done
for f in 0 32 128 512; do
  step "fuse_$f" 60 $cli bench $big --batch 4096 --backend webgpu --runs 5 --gpu-time --fuse-groups "$f" --json
done
# Issue 18: logistic on hashed click rows (2^20 buckets, a sparse block) on WebGPU and the fast CPU backend.
ctr="${GPU_SH_TMP:-/tmp}/gpu_sh_ctr.dh"
step ctr_gen 60 $cli gen -o "$ctr" --task ctr --rows $(( ROWS < 1000000 ? ROWS : 1000000 )) --hash-bits 20 --seed 1
step sparse 90 $cli bench --data "$ctr" --loss logistic --backend webgpu,cpu --batch 4096 --runs 3 --json
rm -f "$ctr" "$ctr.truth.json"
step upload 60 $cli bench --upload --upload-mb $(( ROWS * D * 4 / 1000000 + 1 )) --runs 3 --json
# Issue 19: whole processes to a 1e-6 objective gap, 1M x 32 logistic + L2 from an NPY file (the optimum found once in
# f64 on the host; scikit-learn beside them where python3 imports it). Last: it runs with what the budget has left.
npy="${GPU_SH_TMP:-/tmp}/gpu_sh_gap.npy"
step gen_gap 60 $cli gen -o "$npy" --rows $(( DRY == 1 ? ROWS : 1000000 )) --features 32 --task binary --seed 1
step to_gap 240 $cli bench --to-gap 1e-6 "$npy" --loss logistic --penalty l2 --backend webgpu,cpu --solver newton,lbfgs --runs 3 --json
rm -f "$npy" "${npy%.npy}.y.npy" "$npy.truth.json"
echo "bench/gpu.sh: steps took $(( $(date +%s) - start ))s" >&2
node bench/gpu_table.mjs "$out" | tee "$out/table.md"
