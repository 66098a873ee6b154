// Seeded synthetic linear data generated chunk by chunk in constant memory, for datasets larger than memory
// (`downhill gen`). It draws from one generator in the same order as linearDataset (src/data/synthetic.ts),
// so for the same options it yields exactly the same truth and rows, just never all at once.
import type { HostChunk } from '../core/dataset';
import type { ModelParams } from '../core/model';
import { Rng } from '../core/rng';
import { chunkRows, DEFAULT_MAX_ROWS } from './blocks';
import type { DataSource, ReadOptions } from './source';
import { linearDataset, type SyntheticOptions } from './synthetic';

/** The true coefficients linearDataset uses for this seed and feature count. */
export function syntheticTruth(features: number, seed = 0): ModelParams {
  return linearDataset({ rows: 1, features, seed, noise: 0 }).truth;
}

/** Checks options the way linearDataset does and fills in the defaults. */
function resolve(o: SyntheticOptions): Required<Omit<SyntheticOptions, 'chunkRows'>> {
  const d = o.features;
  if (!(Number.isInteger(o.rows) && o.rows >= 1)) throw new Error(`rows must be a positive integer, got ${o.rows}`);
  if (!(Number.isInteger(d) && d >= 1)) throw new Error(`features must be a positive integer, got ${d}`);
  const scales = o.scales ?? new Array<number>(d).fill(1);
  if (scales.length !== d || !scales.every(Number.isFinite)) throw new Error(`scales must be ${d} finite numbers, got ${scales.join(', ')}`);
  const seed = o.seed ?? 0;
  return { rows: o.rows, features: d, noise: o.noise ?? 0.1, seed, scales, truth: o.truth ?? syntheticTruth(d, seed) };
}

/** Yields X ~ uniform(−s, s), y = X·w* + b* + N(0, noise²) in chunks of `perChunk` rows (linearDataset's rows). */
export function* linearChunks(o: SyntheticOptions, perChunk = DEFAULT_MAX_ROWS): Generator<HostChunk> {
  const { rows: total, features: d, noise, seed, scales, truth } = resolve(o);
  const rng = new Rng(seed);
  for (let start = 0; start < total; start += perChunk) {
    const rows = Math.min(perChunk, total - start);
    const x = new Float32Array(rows * d);
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let t = truth.bias;
      for (let j = 0; j < d; j++) {
        const v = Math.fround(scales[j] * (2 * rng.float24() - 1));
        x[r * d + j] = v;
        t += v * truth.weights[j];
      }
      y[r] = noise > 0 ? t + noise * rng.normal() : t;
    }
    yield { rows, x, y, firstRow: start };
  }
}

/** A synthetic dataset as a source that regenerates its rows on every pass (constant memory). */
export function syntheticSource(o: SyntheticOptions): DataSource & { truth: ModelParams } {
  const r = resolve(o);
  const features = Array.from({ length: r.features }, (_, j) => `x${j + 1}`);
  return {
    description: `synthetic ${r.rows} × ${r.features} (seed ${r.seed})`,
    features, target: 'y', rows: r.rows, truth: r.truth,
    async *read(opts: ReadOptions = {}) {
      for (const c of linearChunks(r, chunkRows(opts))) {
        opts.signal?.throwIfAborted();
        yield c;
      }
    },
  };
}
