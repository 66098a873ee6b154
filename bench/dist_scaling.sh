#!/usr/bin/env bash
# One run comparing one process, 1 rank and 2 ranks of `downhill launch` on this machine, alternated ROUNDS times:
# seconds per epoch (rank 0's, from --json), the launch's wall time and the CPU time of all its processes. Then the
# allreduce's cost by vector size on 2 ranks, and plain sockets' on loopback (bench/loopback.mjs: the link's ceiling).
# Usage: npm run build:cli && bash bench/dist_scaling.sh   (ROWS, FEATURES, ROUNDS, OUT override the defaults.)
# Prints Markdown for bench/RESULTS.md; docs/SCALING.md reads it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-400000}
FEATURES=${FEATURES:-64}
ROUNDS=${ROUNDS:-3}
OUT=${OUT:-$(mktemp -d)}
CLI="node dist/cli.js"
DATA="$OUT/scaling.dh"
[ -f "$DATA" ] || $CLI gen -o "$DATA" --rows "$ROWS" --features "$FEATURES" >/dev/null

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $ROWS rows × $FEATURES features (.dh), cpu backend"
echo "# CPU pressure before: $(head -1 /proc/pressure/cpu)"
CASES=("full-batch GD, 10 epochs|--batch full --epochs 10" "SGD B=4096, 2 epochs|--batch 4096 --epochs 2" "SGD B=256, 1 epoch|--batch 256 --epochs 1")
WAYS=("one process|" "launch -n 1|launch -n 1 --" "launch -n 2|launch -n 2 --")
: >"$OUT/rows.tsv"
for r in $(seq "$ROUNDS"); do
  for c in "${CASES[@]}"; do
    for w in "${WAYS[@]}"; do
      /usr/bin/time -f '%e %U %S' -o "$OUT/time" $CLI ${w#*|} train "$DATA" --backend cpu ${c#*|} --json >"$OUT/run.json"
      spe=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).secondsPerEpoch)' "$OUT/run.json")
      read -r wall user sys <"$OUT/time"
      printf '%s\t%s\t%s\t%s\t%s\n' "${c%%|*}" "${w%%|*}" "$spe" "$wall" "$(echo "$user + $sys" | bc)" >>"$OUT/rows.tsv"
    done
  done
done
echo "# CPU pressure after: $(head -1 /proc/pressure/cpu)"
echo
echo "| case | how | s/epoch (median of $ROUNDS) | wall s | CPU s (all processes) |"
echo "|---|---|---|---|---|"
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split("\t"));
const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
const keys = [...new Set(rows.map((r) => r[0] + "\t" + r[1]))];
for (const k of keys) {
  const rs = rows.filter((r) => r[0] + "\t" + r[1] === k);
  const [c, w] = k.split("\t");
  console.log(`| ${c} | ${w} | ${med(rs.map((r) => +r[2])).toFixed(4)} | ${med(rs.map((r) => +r[3])).toFixed(2)} | ${med(rs.map((r) => +r[4])).toFixed(2)} |`);
}' "$OUT/rows.tsv"
echo
$CLI launch -n 2 -- bench --allreduce
echo
node bench/loopback.mjs
