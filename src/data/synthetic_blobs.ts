// Gaussian blobs streamed chunk by chunk in constant memory: the same rows, centers and labels as blobsDataset
// (synthetic_classes.ts) for the same options, so `downhill gen --task blobs` can write any number of rows.
import type { HostChunk } from '../core/dataset';
import { Rng } from '../core/rng';

/** Options for Gaussian blobs: K centers in (−5, 5)^D kept apart, x = center + N(0, spread²). */
export interface BlobsOptions {
  rows: number;
  features: number;
  classes: number;
  /** Standard deviation around each center (default 0.5; centers are ≥ 8 spreads apart where they fit: separable). */
  spread?: number;
  seed?: number;
}

/** The options with their defaults, checked. */
function resolveBlobs(o: BlobsOptions): Required<BlobsOptions> {
  const spread = o.spread ?? 0.5;
  if (!(Number.isInteger(o.rows) && o.rows >= 1)) throw new Error(`rows must be a positive integer, got ${o.rows}`);
  if (!(Number.isInteger(o.features) && o.features >= 1)) throw new Error(`features must be a positive integer, got ${o.features}`);
  if (!(Number.isInteger(o.classes) && o.classes >= 2 && o.classes <= 1000)) throw new Error(`classes must be an integer from 2 to 1000, got ${o.classes}`);
  if (!(spread >= 0 && Number.isFinite(spread))) throw new Error(`spread must be a finite number ≥ 0, got ${spread}`);
  return { rows: o.rows, features: o.features, classes: o.classes, spread, seed: o.seed ?? 0 };
}

/**
 * The generator of a seed with the K × D centers already drawn (the rows follow from the same stream). Each center
 * is redrawn (up to 100 times, keeping the farthest) until it lies ≥ 8·spread from the others, so the blobs are
 * separable by a linear classifier where the box (−5, 5)^D has room for them.
 */
function start(o: Required<BlobsOptions>): { rng: Rng; centers: Float64Array } {
  const rng = new Rng(o.seed ^ 0xb10b);
  const { classes: k, features: d } = o;
  const centers = new Float64Array(k * d);
  const gap = (c: Float64Array, upTo: number) => {
    let m = Infinity;
    for (let q = 0; q < upTo; q++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (c[j] - centers[q * d + j]) ** 2;
      m = Math.min(m, Math.sqrt(s));
    }
    return m;
  };
  for (let c = 0; c < k; c++) {
    let best = new Float64Array(d);
    let bestGap = -1;
    for (let attempt = 0; attempt < 100 && bestGap < 8 * o.spread; attempt++) {
      const cand = Float64Array.from({ length: d }, () => rng.uniform(-5, 5));
      const g = gap(cand, c);
      if (g > bestGap) [best, bestGap] = [cand, g];
    }
    centers.set(best, c * d);
  }
  return { rng, centers };
}

/** The blob centers (K × D, row-major) of these options. */
export function blobCenters(o: BlobsOptions): Float64Array {
  return start(resolveBlobs(o)).centers;
}

/** Yields x = center[y] + N(0, spread²) with y uniform over the K blobs, in chunks of `perChunk` rows. */
export function* blobsChunks(o: BlobsOptions, perChunk = 1 << 20): Generator<HostChunk> {
  const r = resolveBlobs(o);
  const { features: d, classes: k, spread } = r;
  const { rng, centers } = start(r);
  for (let first = 0; first < r.rows; first += perChunk) {
    const rows = Math.min(perChunk, r.rows - first);
    const x = new Float32Array(rows * d);
    const y = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      const c = Math.floor(rng.float24() * k);
      y[i] = c;
      for (let j = 0; j < d; j++) x[i * d + j] = centers[c * d + j] + spread * rng.normal();
    }
    yield { rows, x, y, firstRow: first };
  }
}
