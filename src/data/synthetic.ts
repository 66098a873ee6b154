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

/** The true coefficients for a seed and feature count: uniform(−2, 2) rounded to 3 decimals, bias 0.5. */
export function syntheticTruth(features: number, seed = 0): ModelParams {
  const coefRng = new Rng(seed ^ 0x7777);
  return { weights: Float64Array.from({ length: features }, () => Math.round(coefRng.uniform(-2, 2) * 1000) / 1000), bias: Float64Array.of(0.5) };
}

/** Checks the options and fills in the defaults. */
export function resolveSynthetic(o: SyntheticOptions): Required<Omit<SyntheticOptions, 'chunkRows'>> {
  const d = o.features;
  if (!(Number.isInteger(o.rows) && o.rows >= 1)) throw new Error(`rows must be a positive integer, got ${o.rows}`);
  if (!(Number.isInteger(d) && d >= 1)) throw new Error(`features must be a positive integer, got ${d}`);
  const scales = o.scales ?? new Array<number>(d).fill(1);
  if (scales.length !== d || !scales.every(Number.isFinite)) throw new Error(`scales must be ${d} finite numbers, got ${scales.join(', ')}`);
  const seed = o.seed ?? 0;
  return { rows: o.rows, features: d, noise: o.noise ?? 0.1, seed, scales, truth: o.truth ?? syntheticTruth(d, seed) };
}

/** Yields X ~ uniform(−s, s), y = X·w* + b* + N(0, noise²) in chunks of `perChunk` rows, from one seeded stream. */
export function* linearChunks(o: SyntheticOptions, perChunk = 1 << 20): Generator<HostChunk> {
  const { rows: total, features: d, noise, seed, scales, truth } = resolveSynthetic(o);
  const rng = new Rng(seed);
  for (let start = 0; start < total; start += perChunk) {
    const rows = Math.min(perChunk, total - start);
    const x = new Float32Array(rows * d);
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let t = truth.bias[0];
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

/** Generates the whole dataset in memory, in chunks of `chunkRows` (default 1M). */
export function linearDataset(o: SyntheticOptions): SyntheticDataset {
  const r = resolveSynthetic(o);
  const chunks = [...linearChunks(r, o.chunkRows ?? 1 << 20)];
  const features = Array.from({ length: r.features }, (_, j) => `x${j + 1}`);
  return { features, target: 'y', rows: r.rows, chunks, truth: r.truth, noise: r.noise };
}

/** Options of the seeds' single-variable example: x ~ uniform(−5, 5) before `shiftLine` moves it to (0, 10). */
export function lineOptions(rows: number, theta0: number, theta1: number, noise: number, seed: number): SyntheticOptions {
  return { rows, features: 1, noise, seed, scales: [5], truth: { weights: Float64Array.of(theta1), bias: Float64Array.of(theta0) } };
}

/** Shifts a line chunk's x from (−5, 5) to (0, 10), keeping y = θ0 + θ1·x + noise, in place. */
export function shiftLine(c: HostChunk, theta1: number): HostChunk {
  for (let i = 0; i < c.rows; i++) {
    c.x[i] += 5;
    c.y[i] += 5 * theta1;
  }
  return c;
}

/** The seeds' single-variable example: y = θ0 + θ1·x + noise with x ~ uniform(0, 10). */
export function lineDataset(rows = 200, theta0 = 4, theta1 = 3, noise = 1, seed = 0): SyntheticDataset {
  const ds = linearDataset(lineOptions(rows, theta0, theta1, noise, seed));
  ds.chunks.forEach((c) => shiftLine(c, theta1));
  return { ...ds, features: ['x'] };
}
