// Tests for chunked synthetic data (src/data/synthetic_stream.ts) and CSV number writing (csv_write.ts): the
// chunks are exactly linearDataset's rows and truth for the same options, whatever the chunk size, and every
// float32 written as text parses back to the same bits.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { parseCsv } from '../../src/data/csv';
import { csvHeader, csvRows, f32ToString } from '../../src/data/csv_write';
import { linearChunks, syntheticSource, syntheticTruth } from '../../src/data/synthetic_stream';
import { linearDataset } from '../../src/data/synthetic';
import { firstDiff, flatten, gather } from './helpers';

describe('linearChunks', () => {
  it('yields linearDataset\'s rows and truth for the same options, in any chunk size', () => {
    const o = { rows: 1001, features: 5, noise: 0.3, seed: 9, scales: [1, 2, 3, 0.5, 100] };
    const ref = flatten(linearDataset(o));
    for (const per of [1, 7, 1000, 5000]) {
      const chunks = [...linearChunks(o, per)];
      expect(chunks.map((c) => c.rows).reduce((a, b) => a + b)).toBe(1001);
      expect(chunks[1]?.firstRow ?? 1001).toBe(Math.min(per, 1001));
      const x = chunks.flatMap((c) => [...c.x]);
      const y = chunks.flatMap((c) => [...c.y]);
      expect(firstDiff(x, ref.x), `chunk ${per}`).toBe(-1);
      expect(firstDiff(y, ref.y), `chunk ${per}`).toBe(-1);
    }
    expect([...syntheticTruth(5, 9).weights]).toEqual([...linearDataset(o).truth.weights]);
    expect(syntheticTruth(5, 10).weights).not.toEqual(syntheticTruth(5, 9).weights);
  });

  it('is a source that regenerates the same rows on every pass', async () => {
    const src = syntheticSource({ rows: 300, features: 2, seed: 1, noise: 0 });
    const a = await gather(src, { maxRows: 128 });
    const b = await gather(src);
    expect(a.sizes).toEqual([128, 128, 44]);
    expect(firstDiff(a.x, b.x)).toBe(-1);
    const w = src.truth.weights;
    for (let r = 0; r < 300; r++) expect(a.y[r]).toBeCloseTo(a.x[2 * r] * w[0] + a.x[2 * r + 1] * w[1] + src.truth.bias[0], 5);
  });

  it('rejects bad sizes and scales', () => {
    expect(() => [...linearChunks({ rows: 0, features: 1 })]).toThrow(/rows must be a positive integer/);
    expect(() => [...linearChunks({ rows: 1, features: 2, scales: [1] })]).toThrow(/scales must be 2 finite numbers/);
  });
});

describe('f32ToString and csvRows', () => {
  it('round-trips 100 000 random float32 values of every magnitude, briefly', () => {
    const rng = new Rng(8);
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    for (let k = 0; k < 100_000; k++) {
      u32[0] = rng.u32();
      const v = f32[0];
      if (!Number.isFinite(v)) continue;
      const s = f32ToString(v);
      if (!Object.is(Math.fround(Number(s)), v)) throw new Error(`${v} → "${s}" does not round-trip`);
      if (s.replace(/^-|e.*$|\./g, '').replace(/^0+/, '').length > 9 + (Number.isInteger(v) ? 30 : 0)) throw new Error(`"${s}" is long`);
    }
    expect([0.5, 1, -0, 0.1, 1e-7, 3.4028234663852886e38].map((v) => f32ToString(Math.fround(v)))).toEqual(['0.5', '1', '-0', '0.1', '1e-7', '3.4028235e+38']);
    expect(() => f32ToString(NaN)).toThrow(RangeError);
  });

  it('writes rows that parseCsv reads back bit for bit', () => {
    const ds = linearDataset({ rows: 200, features: 3, seed: 2, scales: [1e-6, 1, 1e6] });
    const text = csvHeader([...ds.features, 'my "y"']) + ds.chunks.map((c) => csvRows(c, 3)).join('');
    const back = flatten(parseCsv(text, { file: 'w.csv', target: 'my "y"' }));
    const ref = flatten(ds);
    expect(firstDiff(back.x, ref.x)).toBe(-1);
    expect(firstDiff(back.y, ref.y)).toBe(-1);
  });
});
