// Per-column summary statistics (count, mean, M2, min, max) that merge exactly across chunks: each chunk is
// summarized in two passes in f64 and chunks are combined with Chan et al.'s parallel update, so a column
// with a large mean and a small spread keeps its variance (no Σx² − n·mean² cancellation).

/** Rows a tile of ColumnSet.addRows (records of ~200 bytes: ~50 KB a tile, in L2). */
const ROW_TILE = 256;

/** Running statistics of one column; M2 is the sum of squared deviations from the mean. */
export interface ColumnStats {
  count: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
}

/** Statistics of no values (the identity of `mergeStats`). */
export function emptyStats(): ColumnStats {
  return { count: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity };
}

/** Population variance M2 / count (0 for fewer than one value). */
export function variance(s: ColumnStats): number {
  return s.count > 0 ? s.m2 / s.count : 0;
}

/** Sample variance M2 / (count − 1) (0 for fewer than two values). */
export function sampleVariance(s: ColumnStats): number {
  return s.count > 1 ? s.m2 / (s.count - 1) : 0;
}

/** Chan's parallel merge: the statistics of the union of two disjoint sets of values. */
export function mergeStats(a: ColumnStats, b: ColumnStats): ColumnStats {
  if (b.count === 0) return { ...a };
  if (a.count === 0) return { ...b };
  const n = a.count + b.count;
  const delta = b.mean - a.mean;
  return {
    count: n,
    mean: a.mean + delta * (b.count / n),
    m2: a.m2 + b.m2 + delta * delta * ((a.count * b.count) / n),
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}

/** Statistics of values[offset + k·stride] for k < count, computed in two passes in f64. */
export function statsOf(values: ArrayLike<number>, count: number, stride = 1, offset = 0): ColumnStats {
  if (count === 0) return emptyStats();
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0, i = offset; k < count; k++, i += stride) {
    const v = values[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / count;
  let m2 = 0;
  let comp = 0;
  for (let k = 0, i = offset; k < count; k++, i += stride) {
    const dv = values[i] - mean;
    m2 += dv * dv;
    comp += dv;
  }
  // The compensation term removes the error left by rounding the mean (the "corrected two-pass" formula).
  m2 -= (comp * comp) / count;
  return { count, mean: mean + comp / count, m2: Math.max(0, m2), min, max };
}

/**
 * Weighted statistics of values[offset + k·stride] with weights w[k] (≥ 0), two passes in f64: count is Σw, mean and
 * M2 are weighted (M2 = Σ w·(v − mean)²), min and max over the values of positive weight.
 */
export function weightedStatsOf(values: ArrayLike<number>, w: ArrayLike<number>, count: number, stride = 1, offset = 0): ColumnStats {
  let sw = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0, i = offset; k < count; k++, i += stride) {
    if (!(w[k] > 0)) continue;
    const v = values[i];
    sw += w[k];
    sum += w[k] * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (sw === 0) return emptyStats();
  const mean = sum / sw;
  let m2 = 0;
  let comp = 0;
  for (let k = 0, i = offset; k < count; k++, i += stride) {
    const dv = values[i] - mean;
    m2 += w[k] * dv * dv;
    comp += w[k] * dv;
  }
  m2 -= (comp * comp) / sw;
  return { count: sw, mean: mean + comp / sw, m2: Math.max(0, m2), min, max };
}

/** Folds a chunk of rows (x row-major rows × d, y) into per-column statistics: d features, then y. */
export function accumulateChunk(acc: ColumnStats[], x: Float32Array, y: Float32Array, rows: number, d: number): void {
  if (acc.length !== d + 1) throw new Error(`expected ${d + 1} column statistics, got ${acc.length}`);
  for (let j = 0; j < d; j++) acc[j] = mergeStats(acc[j], statsOf(x, rows, d, j));
  acc[d] = mergeStats(acc[d], statsOf(y, rows));
}

/** Statistics of the columns of row-major data (rows × columns), one ColumnStats per column. */
export class ColumnSet {
  cols: ColumnStats[];

  constructor(readonly columns: number) {
    this.cols = Array.from({ length: columns }, emptyStats);
  }

  /** A set holding known statistics. */
  static of(cols: readonly ColumnStats[]): ColumnSet {
    const s = new ColumnSet(cols.length);
    s.cols = cols.map((c) => ({ ...c }));
    return s;
  }

  /** Folds in `rows` rows of row-major values, weighted by `w` (one per row; count then sums the weights). */
  add(values: ArrayLike<number>, rows: number, w?: ArrayLike<number>): void {
    if (rows === 0) return;
    for (let j = 0; j < this.columns; j++) {
      this.cols[j] = mergeStats(this.cols[j], w ? weightedStatsOf(values, w, rows, this.columns, j) : statsOf(values, rows, this.columns, j));
    }
  }

  /**
   * Folds in `rows` rows whose column j is values[at + r·stride + offsets[j]] (rows laid out as records; offsets by
   * default 0, 1, …): the same statistics, bit for bit, as `add` of the rows packed row-major (each column's sums run
   * in row order either way), reading the rows in cache-sized tiles twice instead of twice per column.
   */
  addRows(values: Float32Array, rows: number, stride: number, at = 0, offsets?: readonly number[]): void {
    if (rows === 0) return;
    const c = this.columns;
    const col = (j: number) => at + (offsets ? offsets[j] : j);
    const sum = new Float64Array(c);
    const min = new Float64Array(c).fill(Infinity);
    const max = new Float64Array(c).fill(-Infinity);
    // Tiles of rows stay in cache while each column's running values are in registers (same order: rows in order).
    for (let r0 = 0; r0 < rows; r0 += ROW_TILE) {
      const r1 = Math.min(rows, r0 + ROW_TILE);
      for (let j = 0; j < c; j++) {
        let s = sum[j];
        let lo = min[j];
        let hi = max[j];
        for (let r = r0, i = col(j) + r0 * stride; r < r1; r++, i += stride) {
          const v = values[i];
          s += v;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        [sum[j], min[j], max[j]] = [s, lo, hi];
      }
    }
    const mean = sum.map((s) => s / rows);
    const m2 = new Float64Array(c);
    const comp = new Float64Array(c);
    for (let r0 = 0; r0 < rows; r0 += ROW_TILE) {
      const r1 = Math.min(rows, r0 + ROW_TILE);
      for (let j = 0; j < c; j++) {
        const mj = mean[j];
        let q = m2[j];
        let e = comp[j];
        for (let r = r0, i = col(j) + r0 * stride; r < r1; r++, i += stride) {
          const dv = values[i] - mj;
          q += dv * dv;
          e += dv;
        }
        [m2[j], comp[j]] = [q, e];
      }
    }
    for (let j = 0; j < c; j++) {
      const s = { count: rows, mean: mean[j] + comp[j] / rows, m2: Math.max(0, m2[j] - (comp[j] * comp[j]) / rows), min: min[j], max: max[j] };
      this.cols[j] = mergeStats(this.cols[j], s);
    }
  }

  /** Values seen per column (the sum of their weights when weighted). */
  get n(): number {
    return this.cols[0]?.count ?? 0;
  }

  mean(j: number): number {
    return this.cols[j].mean;
  }

  /** Population standard deviation of column j. */
  std(j: number): number {
    return Math.sqrt(variance(this.cols[j]));
  }
}
