// Peers for `downhill bench --peers`: the same SGD workload outside downhill, timed in the same run, so the CPU
// backend is read against what a user would otherwise run — numpy (bench/peers/numpy_sgd.py through python3, when
// numpy is importable; its rows in storage order and shuffled), a plain single-thread JavaScript loop over the
// Float32Array (rows in storage order), and a plain copy of X (the memory-bandwidth roofline).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INDEX_MASK, NEG } from '../../core/csr';
import type { Dataset } from '../../core/dataset';
import type { DataSource } from '../../data/source';
import numpyScript from '../../../bench/peers/numpy_sgd.py?raw';
import sklearnScript from '../../../bench/peers/sklearn_sgd.py?raw';

/** One peer's timing of one batch size. */
export interface PeerResult {
  peer: 'numpy' | 'js-loop' | 'copy' | 'sklearn';
  /** Row order: storage order, or a fresh permutation each epoch. */
  order: 'sequential' | 'shuffled';
  device: string;
  batch: number;
  secondsPerEpoch: number;
  runs: number[];
  /** Median CPU time per epoch of the peer's process, every thread added. */
  cpuSecondsPerEpoch?: number;
}

/** What the peers time: one-output loss, batch sizes, learning rate, runs. */
export interface PeerOptions {
  rows: number;
  features: number;
  batches: number[];
  runs: number;
  loss: string;
  lr: number;
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** numpy's epochs, or the reason it could not run. */
export function numpyPeer(o: PeerOptions): PeerResult[] | string {
  if (o.loss !== 'squared' && o.loss !== 'logistic') return `the numpy peer times squared and logistic loss, not ${o.loss}`;
  const args = JSON.stringify({ rows: o.rows, features: o.features, batches: o.batches, runs: o.runs, loss: o.loss, lr: o.lr, orders: ['sequential', 'shuffled'] });
  const r = spawnSync('python3', ['-c', numpyScript, args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.error) return `python3 did not run (${r.error.message}); install python3 and python3-numpy`;
  if (r.status !== 0) return /No module named .?numpy/.test(r.stderr) ? 'python3 has no numpy (apt-get install python3-numpy)' : `python3 failed: ${r.stderr.trim().split('\n').at(-1)}`;
  const blasEnv = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE', 'OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`);
  return r.stdout.trim().split('\n').map((line) => {
    const j = JSON.parse(line) as { numpy: string; blas?: string; order: 'sequential' | 'shuffled'; batch: number; runs: number[]; cpuRuns: number[] };
    const device = `numpy ${j.numpy}${j.blas ? ` + ${j.blas}` : ''}${blasEnv.length ? ` (${blasEnv.join(' ')})` : ''}`;
    return { peer: 'numpy', order: j.order, device, batch: j.batch, runs: j.runs, secondsPerEpoch: median(j.runs), cpuSecondsPerEpoch: median(j.cpuRuns) };
  });
}

/**
 * scikit-learn's SGDClassifier (log loss, sample by sample, shuffled) on a source with a sparse block, as one CSR
 * matrix of its dense columns and its block (bench/peers/sklearn_sgd.py reads the raw arrays written here), or the
 * reason it could not run.
 */
export async function sklearnPeer(src: DataSource, o: { runs: number; lr: number }): Promise<PeerResult | string> {
  const width = src.sparse?.width;
  if (!width) return 'the sklearn peer times sources with a sparse block';
  const d = src.features.length;
  const dir = mkdtempSync(join(tmpdir(), 'downhill-sklearn-'));
  try {
    // The CSR matrix written chunk by chunk (10M rows hold ~4e8 entries: never one array of them in memory).
    const files = Object.fromEntries(['x.f32', 'y.f32', 'ptr.i64', 'idx.i32', 'val.f64'].map((f) => [f, openSync(join(dir, f), 'w')]));
    const put = (f: string, a: ArrayBufferView) => writeSync(files[f], new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    let rows = 0;
    let entries = 0;
    try {
      put('ptr.i64', BigInt64Array.of(0n));
      for await (const c of src.read()) {
        put('x.f32', c.x.subarray(0, c.rows * d));
        put('y.f32', c.y.subarray(0, c.rows));
        const s = c.sparse!;
        const n = s.ptr[c.rows] - s.ptr[0];
        const idx = new Int32Array(n);
        const val = new Float64Array(n);
        for (let e = 0; e < n; e++) {
          const k = s.ptr[0] + e;
          idx[e] = s.val ? s.idx[k] : s.idx[k] & INDEX_MASK;
          val[e] = s.val ? s.val[k] : s.idx[k] & NEG ? -1 : 1;
        }
        const ptr = new BigInt64Array(c.rows);
        for (let r = 0; r < c.rows; r++) ptr[r] = BigInt(entries + s.ptr[r + 1] - s.ptr[0]);
        put('idx.i32', idx);
        put('val.f64', val);
        put('ptr.i64', ptr);
        rows += c.rows;
        entries += n;
      }
    } finally {
      for (const fd of Object.values(files)) closeSync(fd);
    }
    const args = JSON.stringify({ rows, dense: d, width, dir, runs: o.runs, lr: o.lr });
    // The first python3 on PATH may be a virtual environment without scikit-learn; Debian's has python3-sklearn.
    let r = spawnSync('python3', ['-c', sklearnScript, args], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0 && /No module named/.test(r.stderr)) r = spawnSync('/usr/bin/python3', ['-c', sklearnScript, args], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.error) return `python3 did not run (${r.error.message}); install python3-sklearn`;
    if (r.status !== 0) return /No module named .?(sklearn|scipy)/.test(r.stderr) ? 'python3 has no scikit-learn (apt-get install python3-sklearn)' : `python3 failed: ${r.stderr.trim().split('\n').at(-1)}`;
    const j = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { sklearn: string; runs: number[]; cpuRuns: number[] };
    return { peer: 'sklearn', order: 'shuffled', device: `scikit-learn ${j.sklearn} SGDClassifier (log loss, one row a step, CSR)`, batch: 1, runs: j.runs, secondsPerEpoch: median(j.runs), cpuSecondsPerEpoch: median(j.cpuRuns) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One epoch of plain SGD in a single-thread JavaScript loop (squared loss, rows in storage order, f64 sums). */
function jsLoopEpoch(ds: Dataset, d: number, batch: number, lr: number, w: Float64Array, b: number[]): void {
  const g = new Float64Array(d);
  let gb = 0;
  let filled = 0;
  const step = () => {
    const s = (2 * lr) / filled;
    for (let j = 0; j < d; j++) w[j] -= s * g[j];
    b[0] -= s * gb;
    g.fill(0);
    gb = 0;
    filled = 0;
  };
  for (const { x, y, rows } of ds.chunks) {
    for (let i = 0; i < rows; i++) {
      const off = i * d;
      let z = b[0];
      for (let j = 0; j < d; j++) z += x[off + j] * w[j];
      const r = z - y[i];
      for (let j = 0; j < d; j++) g[j] += r * x[off + j];
      gb += r;
      if (++filled === batch) step();
    }
  }
  if (filled > 0) step();
}

/** Times the plain JavaScript loop (squared loss) on the benchmark's own data. */
export function jsLoopPeer(ds: Dataset, o: PeerOptions): PeerResult[] {
  const d = o.features;
  return o.batches.map((batch0) => {
    const batch = Math.min(batch0, o.rows);
    const w = new Float64Array(d);
    const b = [0];
    const runs: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r <= o.runs; r++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      jsLoopEpoch(ds, d, batch, o.lr, w, b);
      const c = process.cpuUsage(c0);
      if (r > 0) runs.push((performance.now() - t0) / 1000), cpu.push((c.user + c.system) / 1e6);
    }
    return {
      peer: 'js-loop', order: 'sequential', device: 'JavaScript loop over Float32Array, one thread', batch, runs,
      secondsPerEpoch: median(runs), cpuSecondsPerEpoch: median(cpu),
    };
  });
}

/** A plain copy of X (TypedArray.set, one thread): bytes read and written per second bound any pass over X. */
export function copyPeer(ds: Dataset, runs: number): PeerResult {
  const out = ds.chunks.map((c) => new Float32Array(c.x.length));
  const times: number[] = [];
  for (let r = 0; r <= runs; r++) {
    const t0 = performance.now();
    ds.chunks.forEach((c, i) => out[i].set(c.x));
    if (r > 0) times.push((performance.now() - t0) / 1000);
  }
  return { peer: 'copy', order: 'sequential', device: 'Float32Array.set of X, one thread', batch: 0, runs: times, secondsPerEpoch: median(times) };
}
