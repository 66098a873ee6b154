// Seeded synthetic data for classification and robust regression, with what generated it: labels drawn from a
// known logistic or softmax model, Gaussian blobs (separable when the spread is small), and linear data with a
// fraction of gross outliers in y. Targets are class indices 0..K−1 (binary: 0 and 1).
import type { HostChunk } from '../core/dataset';
import type { ModelParams } from '../core/model';
import { Rng } from '../core/rng';
import { linearChunks, type SyntheticDataset, type SyntheticOptions } from './synthetic';
import { blobCenters, blobsChunks, type BlobsOptions } from './synthetic_blobs';

export type { BlobsOptions } from './synthetic_blobs';

/** Options for labels drawn from a linear model: P(class c) = softmax(W·x + b)_c (K = 2: σ(w·x + b)). */
export interface ClassesOptions {
  rows: number;
  features: number;
  /** K ≥ 2 (default 2). */
  classes?: number;
  seed?: number;
  /** Scale of the true weights: larger is more separable (default 2). */
  scale?: number;
  chunkRows?: number;
}

/** A classification dataset: truth has one weight row for two classes (logistic), K rows otherwise. */
export interface ClassesDataset extends SyntheticDataset {
  classes: string[];
}

function resolve(o: ClassesOptions): Required<Omit<ClassesOptions, 'chunkRows'>> {
  const k = o.classes ?? 2;
  if (!(Number.isInteger(o.rows) && o.rows >= 1)) throw new Error(`rows must be a positive integer, got ${o.rows}`);
  if (!(Number.isInteger(o.features) && o.features >= 1)) throw new Error(`features must be a positive integer, got ${o.features}`);
  if (!(Number.isInteger(k) && k >= 2 && k <= 1000)) throw new Error(`classes must be an integer from 2 to 1000, got ${o.classes}`);
  return { rows: o.rows, features: o.features, classes: k, seed: o.seed ?? 0, scale: o.scale ?? 2 };
}

/** The true model of a seed: one weight row for two classes, K rows (last fixed at 0) for more; biases uniform(−½, ½). */
export function classesTruth(features: number, classes: number, seed: number, scale: number): ModelParams {
  const rng = new Rng(seed ^ 0x5eed);
  const k = classes === 2 ? 1 : classes;
  const weights = Float64Array.from({ length: k * features }, () => Math.round(rng.uniform(-scale, scale) * 1000) / 1000);
  const bias = Float64Array.from({ length: k }, () => Math.round(rng.uniform(-0.5, 0.5) * 1000) / 1000);
  return { weights, bias };
}

/** Yields x ~ uniform(−1, 1) and labels drawn from the true model, in chunks of `perChunk` rows. */
export function* classesChunks(o: ClassesOptions, perChunk = 1 << 20): Generator<HostChunk> {
  const { rows: total, features: d, classes: k, seed, scale } = resolve(o);
  const truth = classesTruth(d, k, seed, scale);
  const outs = truth.bias.length;
  const rng = new Rng(seed);
  const z = new Float64Array(outs);
  for (let start = 0; start < total; start += perChunk) {
    const rows = Math.min(perChunk, total - start);
    const x = new Float32Array(rows * d);
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      z.set(truth.bias);
      for (let j = 0; j < d; j++) {
        const v = Math.fround(2 * rng.float24() - 1);
        x[r * d + j] = v;
        for (let c = 0; c < outs; c++) z[c] += v * truth.weights[c * d + j];
      }
      y[r] = outs === 1 ? (rng.float24() < 1 / (1 + Math.exp(-z[0])) ? 1 : 0) : drawSoftmax(z, rng);
    }
    yield { rows, x, y, firstRow: start };
  }
}

function drawSoftmax(z: Float64Array, rng: Rng): number {
  const m = Math.max(...z);
  let s = 0;
  for (const v of z) s += Math.exp(v - m);
  let u = rng.float24() * s;
  for (let c = 0; c < z.length; c++) {
    u -= Math.exp(z[c] - m);
    if (u <= 0) return c;
  }
  return z.length - 1;
}

/** Labels drawn from a known logistic (K = 2) or softmax model, in memory. */
export function classesDataset(o: ClassesOptions): ClassesDataset {
  const r = resolve(o);
  const chunks = [...classesChunks(r, o.chunkRows ?? 1 << 20)];
  return {
    features: Array.from({ length: r.features }, (_, j) => `x${j + 1}`), target: 'y', rows: r.rows, chunks, noise: 0,
    truth: classesTruth(r.features, r.classes, r.seed, r.scale), classes: Array.from({ length: r.classes }, (_, c) => String(c)),
  };
}

/** Gaussian blobs in memory (synthetic_blobs.ts): the centers are returned as `centers` (K × D), y the blob's index. */
export function blobsDataset(o: BlobsOptions): ClassesDataset & { centers: Float64Array } {
  const chunks = [...blobsChunks(o, o.rows)];
  return {
    features: Array.from({ length: o.features }, (_, j) => `x${j + 1}`), target: 'y', rows: o.rows, chunks, noise: o.spread ?? 0.5,
    truth: { weights: new Float64Array(0), bias: new Float64Array(0) }, centers: blobCenters(o),
    classes: Array.from({ length: o.classes }, (_, c) => String(c)),
  };
}

/** Linear data (synthetic.ts) with a seeded fraction of rows whose y is moved by ±(20…50)·(1 + |y|): gross outliers. */
export function* outlierChunks(o: SyntheticOptions & { outliers: number }, perChunk = 1 << 20): Generator<HostChunk> {
  if (!(o.outliers >= 0 && o.outliers < 1)) throw new Error(`outliers must be a fraction in [0, 1), got ${o.outliers}`);
  const rng = new Rng((o.seed ?? 0) ^ 0x0171);
  for (const c of linearChunks(o, perChunk)) {
    for (let i = 0; i < c.rows; i++) {
      if (rng.float24() < o.outliers) c.y[i] += (rng.float24() < 0.5 ? -1 : 1) * (20 + 30 * rng.float24()) * (1 + Math.abs(c.y[i]));
    }
    yield c;
  }
}
