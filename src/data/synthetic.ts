// Seeded synthetic regression data with known true coefficients: y = X·w* + b* + noise.
import type { Dataset, HostChunk } from '../core/dataset';
import type { ModelParams } from '../core/model';
import { Rng } from '../core/rng';

/** Options for a synthetic linear dataset. */
export interface SyntheticOptions {
  rows: number;
  features: number;
  /** Standard deviation of the Gaussian noise on y (default 0.1). */
  noise?: number;
  seed?: number;
  /** Rows per host chunk (default 1M). */
  chunkRows?: number;
  /** Per-feature scale of x ~ uniform(−scale, scale) (default 1). */
  scales?: number[];
  /** True coefficients (default: seeded uniform(−2, 2), bias 0.5). */
  truth?: ModelParams;
}

/** A dataset together with the coefficients it was generated from. */
export interface SyntheticDataset extends Dataset {
  truth: ModelParams;
  noise: number;
}

/** Generates X ~ uniform(−s, s), y = X·w* + b* + N(0, noise²), in chunks, from a seed. */
export function linearDataset(o: SyntheticOptions): SyntheticDataset {
  const d = o.features;
  if (!(Number.isInteger(o.rows) && o.rows >= 1)) throw new Error(`rows must be a positive integer, got ${o.rows}`);
  if (!(Number.isInteger(d) && d >= 1)) throw new Error(`features must be a positive integer, got ${d}`);
  const seed = o.seed ?? 0;
  const noise = o.noise ?? 0.1;
  const coefRng = new Rng(seed ^ 0x7777);
  const truth = o.truth ?? {
    weights: Float64Array.from({ length: d }, () => Math.round(coefRng.uniform(-2, 2) * 1000) / 1000),
    bias: 0.5,
  };
  const scales = o.scales ?? new Array<number>(d).fill(1);
  const rng = new Rng(seed);
  const per = o.chunkRows ?? 1 << 20;
  const chunks: HostChunk[] = [];
  for (let start = 0; start < o.rows; start += per) {
    const rows = Math.min(per, o.rows - start);
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
    chunks.push({ rows, x, y });
  }
  const features = Array.from({ length: d }, (_, j) => `x${j + 1}`);
  return { features, target: 'y', rows: o.rows, chunks, truth, noise };
}

/** The seeds' single-variable example: y = θ0 + θ1·x + noise with x ~ uniform(0, 10). */
export function lineDataset(rows = 200, theta0 = 4, theta1 = 3, noise = 1, seed = 0): SyntheticDataset {
  const ds = linearDataset({
    rows, features: 1, noise, seed, scales: [5], truth: { weights: Float64Array.of(theta1), bias: theta0 },
  });
  // Shift x from (−5, 5) to (0, 10) and keep y consistent with the same θ.
  for (const c of ds.chunks) {
    for (let i = 0; i < c.rows; i++) {
      c.x[i] += 5;
      c.y[i] += 5 * theta1;
    }
  }
  return { ...ds, features: ['x'] };
}
