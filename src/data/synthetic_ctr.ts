// Seeded click data shaped like the Criteo display-advertising logs: 13 integer count columns (I1…I13) and 26
// categorical columns (C1…C26) of 8-hex-digit level names (a letter first) with Zipf-like frequencies (P(rank r) ∝ 1/(r + 1), from 3 up
// to 10^6 levels), and a click drawn from a logistic truth: z = b + Σ w_j·log(1 + I_j) + Σ_c effect(c, level), the
// effect of a level a seeded normal draw (σ_c) keyed by column and rank, so no table of millions is ever held. Any number
// of rows, in chunks, in constant memory; the same rows for the same seed whatever the chunk size. No I/O.
import { deriveKey, mix32, Rng } from '../core/rng';

/** Column counts and names: counts, then categories, then the target. */
export const CTR_NUMERIC = Array.from({ length: 13 }, (_, j) => `I${j + 1}`);
export const CTR_CATEGORICAL = Array.from({ length: 26 }, (_, j) => `C${j + 1}`);
export const CTR_TARGET = 'click';

/** Levels of each categorical column (Criteo's columns range from a handful to millions of values). */
export const CTR_LEVELS = [
  1_000_000, 500_000, 3, 200_000, 300, 20, 10_000, 600, 3, 50_000, 5_000, 1_000_000, 3_000, 30, 10_000, 700_000, 10, 5_000, 2_000, 4,
  800_000, 15, 15, 200_000, 100, 100_000,
];

/** A chunk of click rows: counts (rows × 13), clicks (0/1), and each categorical column's level names. */
export interface CtrChunk {
  rows: number;
  firstRow: number;
  x: Float32Array;
  y: Float32Array;
  cells: string[][];
}

/** The truth of a seed: weights of log(1 + count), the bias, and each categorical column's effect scale σ_c. */
export function ctrTruth(seed: number): { weights: number[]; bias: number; sigma: number[] } {
  const rng = new Rng(deriveKey(seed, 0xc7e));
  const weights = CTR_NUMERIC.map(() => rng.uniform(-0.3, 0.3));
  const sigma = CTR_LEVELS.map((n) => (n <= 30 ? 0.5 : n <= 10_000 ? 0.35 : 0.25) * rng.uniform(0.5, 1.5));
  return { weights, bias: -1.6, sigma };
}

const HEX = '0123456789abcdef';

/** A key of (column key, rank): two rounds of the avalanche hash, no allocation (this runs 26 times a row). */
const cellKey = (columnKey: number, rank: number): number => mix32((columnKey + Math.imul(rank + 1, 0x85ebca6b)) >>> 0);

/**
 * The name of level `rank` of a column: 8 hex digits of a seeded hash (as Criteo's anonymized values), the first one a
 * letter a–f so that no name reads as a number ("12345678", "34e38141") and a column of few levels is always text.
 */
function levelName(columnKey: number, rank: number): string {
  const h = cellKey(columnKey, rank);
  let s = HEX[10 + ((h >>> 28) % 6)];
  for (let i = 24; i >= 0; i -= 4) s += HEX[(h >>> i) & 15];
  return s;
}

/** A standard normal from a 32-bit key (two hashes through Box–Muller): a level's effect without a table. */
function keyedNormal(key: number): number {
  const u = (mix32(key) + 0.5) / 2 ** 32;
  const v = (mix32(key ^ 0x9e3779b9) + 0.5) / 2 ** 32;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Per column: the keys of its level names and of its level effects. */
function columnKeys(seed: number): { names: number[]; effects: number[] } {
  return { names: CTR_LEVELS.map((_, c) => deriveKey(seed, 0x4e, c)), effects: CTR_LEVELS.map((_, c) => deriveKey(seed, 0xef, c)) };
}

/** Row i's values from its own seeded stream (so chunking never changes a row). */
function row(seed: number, i: number, truth: ReturnType<typeof ctrTruth>, keys: ReturnType<typeof columnKeys>, x: Float32Array, xo: number, cells: string[][], r: number): number {
  const rng = new Rng(deriveKey(seed, 0x20, i >>> 0, Math.floor(i / 2 ** 32)));
  let z = truth.bias;
  for (let j = 0; j < CTR_NUMERIC.length; j++) {
    const count = Math.floor(Math.exp(rng.normal() * 1.2 + j * 0.25));
    x[xo + j] = count;
    z += truth.weights[j] * Math.log1p(count);
  }
  for (let c = 0; c < CTR_LEVELS.length; c++) {
    const n = CTR_LEVELS[c];
    const rank = Math.min(n - 1, Math.floor(Math.exp(rng.float() * Math.log(n + 1))) - 1);
    cells[c][r] = levelName(keys.names[c], rank);
    z += truth.sigma[c] * keyedNormal(cellKey(keys.effects[c], rank));
  }
  return rng.float() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
}

/** The rows of `rows` clicks from `seed`, in chunks of `chunkRows`. */
export function* ctrChunks(o: { rows: number; seed: number }, chunkRows = 65536): Generator<CtrChunk> {
  const truth = ctrTruth(o.seed);
  const keys = columnKeys(o.seed);
  const d = CTR_NUMERIC.length;
  for (let first = 0; first < o.rows; first += chunkRows) {
    const n = Math.min(chunkRows, o.rows - first);
    const x = new Float32Array(n * d);
    const y = new Float32Array(n);
    const cells = CTR_CATEGORICAL.map(() => new Array<string>(n));
    for (let r = 0; r < n; r++) y[r] = row(o.seed, first + r, truth, keys, x, r * d, cells, r);
    yield { rows: n, firstRow: first, x, y, cells };
  }
}
