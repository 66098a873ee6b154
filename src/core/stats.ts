// Per-column count, mean, variance, min and max, merged chunk by chunk with Chan et al.'s parallel update
// (each chunk's mean and M2 come from a two-pass sum in f64), so streamed statistics stay accurate.

/** Running statistics of the columns of row-major data. */
export class ColumnStats {
  n = 0;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;

  constructor(readonly columns: number) {
    this.mean = new Float64Array(columns);
    this.m2 = new Float64Array(columns);
    this.min = new Float64Array(columns).fill(Infinity);
    this.max = new Float64Array(columns).fill(-Infinity);
  }

  /** Adds `rows` rows of row-major values (rows × columns), or of a single column when columns = 1. */
  add(values: ArrayLike<number>, rows: number): void {
    if (rows === 0) return;
    const c = this.columns;
    const mean = new Float64Array(c);
    for (let r = 0; r < rows; r++) for (let j = 0; j < c; j++) mean[j] += values[r * c + j];
    for (let j = 0; j < c; j++) mean[j] /= rows;
    const m2 = new Float64Array(c);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < c; j++) {
        const v = values[r * c + j];
        const e = v - mean[j];
        m2[j] += e * e;
        if (v < this.min[j]) this.min[j] = v;
        if (v > this.max[j]) this.max[j] = v;
      }
    }
    this.mergeMoments(rows, mean, m2);
  }

  /** An accumulator holding known moments, one entry per column. */
  static of(cols: readonly { count: number; mean: number; m2: number; min: number; max: number }[]): ColumnStats {
    const s = new ColumnStats(cols.length);
    cols.forEach((c, j) => {
      s.mean[j] = c.mean;
      s.m2[j] = c.m2;
      s.min[j] = c.min;
      s.max[j] = c.max;
    });
    s.n = cols[0]?.count ?? 0;
    return s;
  }

  /** Merges another accumulator into this one. */
  merge(o: ColumnStats): void {
    for (let j = 0; j < this.columns; j++) {
      this.min[j] = Math.min(this.min[j], o.min[j]);
      this.max[j] = Math.max(this.max[j], o.max[j]);
    }
    this.mergeMoments(o.n, o.mean, o.m2);
  }

  private mergeMoments(nb: number, meanB: Float64Array, m2B: Float64Array): void {
    if (nb === 0) return;
    const na = this.n;
    const n = na + nb;
    for (let j = 0; j < this.columns; j++) {
      const delta = meanB[j] - this.mean[j];
      this.mean[j] += (delta * nb) / n;
      this.m2[j] += m2B[j] + (delta * delta * na * nb) / n;
    }
    this.n = n;
  }

  /** Population variance of column j. */
  variance(j: number): number {
    return this.n > 0 ? this.m2[j] / this.n : NaN;
  }

  /** Population standard deviation of column j. */
  std(j: number): number {
    return Math.sqrt(this.variance(j));
  }
}
