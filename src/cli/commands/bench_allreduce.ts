// `downhill launch -n N -- bench --allreduce`: what one allreduce costs the ranks of a distributed run, by vector
// size (8 B to 64 MiB, or --max-bytes), each size after a warm-up that checks the sums and a barrier: the median and
// best time of a call on rank 0, its CPU time, the algorithm (tree or ring) and the bus bandwidth (bytes × 2(p − 1)/p
// per second, NCCL's convention). Rank 0 prints.
import { TREE_BYTES } from '../../train/collective';
import { UsageError } from '../args';
import { table } from '../output';
import { joinRanks, withRanks } from '../ranks';

/** Vector lengths timed: 1 value to 8M values (64 MiB), by factors of 4 or so. */
const SIZES = [1, 8, 64, 512, 4096, 8192, 32_768, 131_072, 524_288, 2_097_152, 8_388_608];

/** The timed results of one size. */
interface AllreduceRow {
  values: number;
  bytes: number;
  algorithm: 'tree' | 'ring';
  calls: number;
  medianUs: number;
  bestUs: number;
  /** Rank 0's CPU time (user + system) per call, barrier included. */
  cpuUs: number;
  busGBps: number;
}

/** Runs the allreduce benchmark on the ranks this process belongs to; returns the exit code. */
export async function allreduceCommand(runs: number, json: boolean, maxBytes = 64 << 20): Promise<number> {
  const ranks = await joinRanks();
  if (!ranks) throw new UsageError('bench --allreduce times the ranks of a distributed run: downhill launch -n 2 -- bench --allreduce');
  return withRanks(ranks, async () => {
    const c = ranks.collective;
    const p = c.size;
    const rows: AllreduceRow[] = [];
    for (const n of SIZES.filter((m) => 8 * m <= maxBytes)) {
      const v = new Float64Array(n).fill(c.rank + 1);
      for (let i = 0; i < 2; i++) checkSum(await c.allreduce(v), p);
      // As many calls as fit in ~0.3 s (at least `runs`), decided by rank 0 so every rank makes the same calls.
      const t0 = performance.now();
      await c.allreduce(v);
      const calls = (await c.broadcast(Float64Array.of(Math.min(500, Math.max(runs, Math.ceil(300 / Math.max(0.01, performance.now() - t0)))))))[0];
      const us: number[] = [];
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < calls; i++) {
        await c.barrier();
        const t = performance.now();
        await c.allreduce(v);
        us.push((performance.now() - t) * 1000);
      }
      const cpu = process.cpuUsage(cpu0);
      us.sort((a, b) => a - b);
      const median = us[Math.floor(us.length / 2)];
      rows.push({
        values: n, bytes: 8 * n, algorithm: 8 * n <= TREE_BYTES || n < p ? 'tree' : 'ring', calls, medianUs: median, bestUs: us[0], cpuUs: (cpu.user + cpu.system) / calls,
        busGBps: (8 * n * 2 * (p - 1)) / p / (median * 1e3),
      });
    }
    if (c.rank === 0) print(rows, p, json);
    await c.close();
    return 0;
  });
}

/** Every rank filled its vector with rank + 1: the sum is p(p + 1)/2 everywhere. */
function checkSum(sum: Float64Array, p: number): void {
  const want = (p * (p + 1)) / 2;
  const at = sum.findIndex((x) => x !== want);
  if (at >= 0) throw new Error(`allreduce of ${sum.length} values: value ${at} is ${sum[at]}, expected ${want}`);
}

function print(rows: AllreduceRow[], p: number, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify({ ranks: p, allreduce: rows }) + '\n');
    return;
  }
  const size = (b: number) => (b >= 1 << 20 ? `${b / (1 << 20)} MiB` : b >= 1024 ? `${b / 1024} KiB` : `${b} B`);
  console.log(`allreduce on ${p} ranks (median of the calls after a barrier each)`);
  console.log(table([['bytes', 'values', 'algorithm', 'calls', 'median µs', 'best µs', 'CPU µs (rank 0)', 'bus GB/s'], ...rows.map((r) => [
    size(r.bytes), r.values, r.algorithm, r.calls, r.medianUs.toFixed(1), r.bestUs.toFixed(1), r.cpuUs.toFixed(1), r.busGBps.toFixed(3),
  ])]));
}
