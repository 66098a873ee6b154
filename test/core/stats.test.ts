// Tests for per-column statistics (src/core/stats.ts): chunked accumulation with Chan's merge agrees with a
// two-pass f64 computation over all values, also for columns whose scales differ by 10⁶ and a column with a
// large mean and a small spread, where the one-pass Σx² formula visibly fails.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { accumulateChunk, emptyStats, mergeStats, sampleVariance, statsOf, variance, type ColumnStats } from '../../src/core/stats';

/** The textbook two-pass statistics of plain numbers. */
function twoPass(v: number[]): ColumnStats {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { count: v.length, mean, m2: v.reduce((a, b) => a + (b - mean) ** 2, 0), min: Math.min(...v), max: Math.max(...v) };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('statsOf and mergeStats', () => {
  it('merging random splits gives the statistics of the whole', () => {
    const rng = new Rng(3);
    for (let t = 0; t < 50; t++) {
      const v = Array.from({ length: 1 + rng.int(500) }, () => rng.uniform(-5, 5) * 10 ** rng.int(4));
      const ref = twoPass(v);
      let acc = emptyStats();
      for (let i = 0; i < v.length; ) {
        const n = 1 + rng.int(60);
        acc = mergeStats(acc, statsOf(v.slice(i, i + n), Math.min(n, v.length - i)));
        i += n;
      }
      expect(acc.count).toBe(ref.count);
      expect(rel(acc.mean, ref.mean)).toBeLessThan(1e-12);
      expect(rel(acc.m2, ref.m2)).toBeLessThan(1e-11);
      expect([acc.min, acc.max]).toEqual([ref.min, ref.max]);
    }
  });

  it('has the empty set as identity and handles one value and strides', () => {
    const s = statsOf([7], 1);
    expect(mergeStats(emptyStats(), s)).toEqual(s);
    expect(mergeStats(s, emptyStats())).toEqual(s);
    expect(s).toEqual({ count: 1, mean: 7, m2: 0, min: 7, max: 7 });
    expect(variance(emptyStats())).toBe(0);
    expect(sampleVariance(s)).toBe(0);
    const strided = statsOf([1, 100, 3, 100, 5, 100], 3, 2, 0);
    expect(strided).toEqual({ count: 3, mean: 3, m2: 8, min: 1, max: 5 });
    expect(variance(strided)).toBeCloseTo(8 / 3, 14);
    expect(sampleVariance(strided)).toBe(4);
  });
});

describe('accumulateChunk', () => {
  it('matches two-pass f64 per column for scales 1e-3 … 1e3 and a column at 1e6 ± 1, over uneven chunks', () => {
    const rng = new Rng(11);
    const n = 20_000;
    const d = 3;
    const cols: number[][] = [[], [], [], []];
    const x = new Float32Array(n * d);
    const y = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      x[r * d] = rng.uniform(-1, 1) * 1e-3;
      x[r * d + 1] = rng.uniform(-1, 1) * 1e3;
      x[r * d + 2] = 1e6 + rng.uniform(-1, 1);
      y[r] = rng.normal();
      for (let j = 0; j < d; j++) cols[j].push(x[r * d + j]);
      cols[d].push(y[r]);
    }
    const acc = Array.from({ length: d + 1 }, emptyStats);
    for (let start = 0; start < n; ) {
      const rows = Math.min(1 + rng.int(3000), n - start);
      accumulateChunk(acc, x.subarray(start * d, (start + rows) * d), y.subarray(start, start + rows), rows, d);
      start += rows;
    }
    for (let j = 0; j <= d; j++) {
      const ref = twoPass(cols[j]);
      expect(acc[j].count, `column ${j}`).toBe(n);
      expect(rel(acc[j].mean, ref.mean), `column ${j} mean`).toBeLessThan(1e-12);
      expect(rel(variance(acc[j]), ref.m2 / n), `column ${j} variance`).toBeLessThan(1e-9);
      expect([acc[j].min, acc[j].max]).toEqual([ref.min, ref.max]);
    }
    // The one-pass formula Σx²/n − mean² loses the 1e6 ± 1 column's variance (≈ 1/3) to cancellation.
    const c = cols[2];
    const naive = c.reduce((a, b) => a + b * b, 0) / n - (c.reduce((a, b) => a + b, 0) / n) ** 2;
    expect(rel(naive, twoPass(c).m2 / n)).toBeGreaterThan(1e-6);
  });

  it('rejects a statistics array of the wrong width', () => {
    expect(() => accumulateChunk([emptyStats()], new Float32Array(2), new Float32Array(1), 1, 2)).toThrow(/expected 3 column statistics/);
  });
});

describe('ColumnSet', () => {
  it('folds row-major chunks into per-column statistics equal to each column computed at once', async () => {
    const { ColumnSet, statsOf } = await import('../../src/core/stats');
    const rows = 1000;
    const x = Float64Array.from({ length: rows * 3 }, (_, i) => ((i * 7919) % 1009) * [1e-3, 1, 1e6][i % 3] + [0, 5, -1e9][i % 3]);
    const set = new ColumnSet(3);
    set.add(x.subarray(0, 300 * 3), 300);
    set.add(x.subarray(300 * 3), 700);
    expect(set.n).toBe(rows);
    for (let j = 0; j < 3; j++) {
      const want = statsOf(x, rows, 3, j);
      expect(Math.abs(set.mean(j) - want.mean)).toBeLessThanOrEqual(1e-12 * Math.abs(want.mean) + 1e-15);
      expect(Math.abs(set.std(j) ** 2 * rows - want.m2)).toBeLessThanOrEqual(1e-9 * want.m2);
    }
    expect(ColumnSet.of(set.cols).std(2)).toBe(set.std(2));
  });

  it('addRows over rows laid out as records gives add\'s statistics of the packed rows bit for bit (tiles, offsets, chunks)', async () => {
    const { ColumnSet } = await import('../../src/core/stats');
    const rng = new Rng(5);
    for (const rows of [1, 3, 255, 256, 257, 1000]) {
      // Records of 11 words: columns at words 4, 0 and 9 (a target after padding), the rest noise.
      const stride = 11;
      const offsets = [4, 0, 9];
      const rec = Float32Array.from({ length: rows * stride + 2 }, () => (rng.float() - 0.3) * 1e3);
      const packed = new Float32Array(rows * 3);
      for (let r = 0; r < rows; r++) for (let j = 0; j < 3; j++) packed[r * 3 + j] = rec[2 + r * stride + offsets[j]];
      const [a, b] = [new ColumnSet(3), new ColumnSet(3)];
      const half = rows >> 1;
      a.add(packed.subarray(0, half * 3), half);
      a.add(packed.subarray(half * 3), rows - half);
      b.addRows(rec, half, stride, 2, offsets);
      b.addRows(rec, rows - half, stride, 2 + half * stride, offsets);
      expect(b.cols, `${rows} rows`).toEqual(a.cols);
      const plain = new ColumnSet(3);
      plain.addRows(packed, rows, 3);
      const whole = new ColumnSet(3);
      whole.add(packed, rows);
      expect(plain.cols).toEqual(whole.cols);
    }
  });
});
