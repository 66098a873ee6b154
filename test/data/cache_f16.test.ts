// The ".dh" cache with float16 features (layout 2, src/data/cache_f16.ts): rows of D halves then y as float32 on
// disk; read back as the nearest halves of the written float32 values (y exact), statistics of the stored values,
// float32 caches still read as before, values beyond the half range refused with the column named, and a truncated
// file still a DataError.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { f16Bits, f16Value, roundF16Array } from '../../src/core/f16';
import { statsOf } from '../../src/core/stats';
import { cacheSource, writeCache } from '../../src/data/cache';
import { cacheRowBytes, decodeF16Rows, encodeF16Rows, trainDtype } from '../../src/data/cache_f16';
import { memorySource } from '../../src/data/source';
import { linearDataset } from '../../src/data/synthetic';
import { flatten, gather, rejection, tempDir } from './helpers';

const tmp = tempDir('cache-f16');
const ds = linearDataset({ rows: 1000, features: 3, seed: 4, chunkRows: 300, scales: [1e-3, 1, 1e3] });
const ref = flatten(ds);

describe('cache with float16 features', () => {
  it('stores D halves then y as float32 per row, layout 2', async () => {
    const path = tmp.file('layout16.dh');
    const info = await writeCache(path, memorySource(ds), {}, 'f16');
    expect(info.dtype).toBe('f16');
    const b = fs.readFileSync(path);
    const h = b.readUInt32LE(12);
    expect(b.readUInt32LE(28)).toBe(2);
    expect(b.length).toBe(h + 1000 * cacheRowBytes(3, 'f16'));
    expect(cacheRowBytes(3, 'f16')).toBe(10);
    expect([b.readUInt16LE(h), b.readUInt16LE(h + 2), b.readUInt16LE(h + 4)]).toEqual([f16Bits(ref.x[0]), f16Bits(ref.x[1]), f16Bits(ref.x[2])]);
    expect(b.readFloatLE(h + 6)).toBe(ref.y[0]);
    expect(b.readUInt16LE(h + 10)).toBe(f16Bits(ref.x[3]));
  });

  it('reads back the rounded features and the exact targets, in passes and by random access; statistics are of the stored values', async () => {
    const path = tmp.file('rows16.dh');
    await writeCache(path, memorySource(ds), {}, 'f16');
    const src = await cacheSource(path);
    expect(src.dtype).toBe('f16');
    const want = roundF16Array(Float64Array.from(ref.x));
    for (const maxRows of [undefined, 1, 333]) {
      const g = await gather(src, { maxRows });
      expect(g.x).toEqual([...want]);
      expect(g.y).toEqual(ref.y);
    }
    const c = await src.readRows(997, 3);
    expect([...c.x]).toEqual([...want.subarray(997 * 3)]);
    await src.close();
    const col = Float64Array.from({ length: 1000 }, (_, r) => want[r * 3 + 2]);
    const s = statsOf(col, 1000);
    expect(src.stats.features[2].mean).toBeCloseTo(s.mean, 6);
    expect(src.stats.features[2].max).toBe(s.max);
    // The feature of scale 1e−3 keeps ~3 significant digits; the one of scale 1e3 loses its fractions.
    expect(Math.abs(want[0] - ref.x[0])).toBeLessThanOrEqual(Math.abs(ref.x[0]) * 2 ** -11);
  });

  it('float32 caches keep reading as float32 (layout 1)', async () => {
    const path = tmp.file('rows32.dh');
    await writeCache(path, memorySource(ds));
    const src = await cacheSource(path);
    expect(src.dtype).toBe('f32');
    expect((await gather(src, {})).x).toEqual(ref.x);
  });

  it('refuses a feature beyond the half range, naming its row and column', async () => {
    const big = linearDataset({ rows: 10, features: 2, seed: 1, scales: [1, 1e6] });
    const e = await rejection(writeCache(tmp.file('big.dh'), memorySource(big), {}, 'f16'));
    expect(e.message).toMatch(/row \d+ \(column 2 "x2"\).*does not fit float16.*--dtype f32/);
    expect(fs.existsSync(tmp.file('big.dh'))).toBe(false);
  });

  it('a truncated f16 cache is a DataError', async () => {
    const path = tmp.file('cut16.dh');
    await writeCache(path, memorySource(ds), {}, 'f16');
    fs.truncateSync(path, fs.statSync(path).size - 4);
    expect((await rejection(cacheSource(path))).message).toMatch(/truncated: expected .* bytes for 1000 rows/);
  });

  it('row codec: halves and the float32 target round-trip', () => {
    const rows = Float32Array.from([1, -2.5, 1 / 3, 123.456, 0, 65504, -1e-7, 1e30]);
    const back = decodeF16Rows(encodeF16Rows(rows, 3, 'f', 0, ['a', 'b', 'c']), 2, 3);
    expect([...back]).toEqual([1, -2.5, f16Value(f16Bits(1 / 3)), Math.fround(123.456), 0, 65504, f16Value(f16Bits(-1e-7)), Math.fround(1e30)]);
  });

  it('training dtype: as stored unless told; f16 only from an f16 cache', async () => {
    const c16 = await cacheSource(tmp.file('rows16.dh'));
    const c32 = await cacheSource(tmp.file('rows32.dh'));
    expect(trainDtype('rows16.dh', c16, undefined)).toBe('f16');
    expect(trainDtype('rows16.dh', c16, 'f32')).toBe('f32');
    expect(trainDtype('rows32.dh', c32, undefined)).toBe('f32');
    expect(() => trainDtype('rows32.dh', c32, 'f16')).toThrow(/rows32.dh holds float32 rows.*--dtype f16/);
    expect(() => trainDtype('d.csv', memorySource(ds), 'f16')).toThrow(/d.csv is not a .dh cache.*downhill convert/);
  });
});
