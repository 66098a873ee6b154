// The ".dh" cache's layout 3 (sparse rows, src/data/cache_csr.ts, cache_csr_io.ts): one-hot indicators (signs in the
// index), float32 and float16 values round-trip through blocks, passes and random access across block borders give
// the written rows, statistics are those of the dense columns, and a damaged file is a DataError naming it.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { denseOf } from '../../src/core/csr';
import { roundF16Array } from '../../src/core/f16';
import type { HostChunk } from '../../src/core/dataset';
import { cacheSource, writeCache } from '../../src/data/cache';
import { CsrCacheSource, CsrCacheWriter } from '../../src/data/cache_csr_io';
import { memorySource } from '../../src/data/source';
import { sparseAndDense, type SparseDataOptions } from '../helpers/sparse';
import { tempDir } from './helpers';

const tmp = tempDir('cache-csr');

/** Every row of a source as dense rows (dense columns, then the sparse block expanded), and the targets. */
async function rowsOf(chunks: AsyncIterable<HostChunk> | HostChunk[], width: number): Promise<{ x: number[]; y: number[]; rows: number }> {
  const out = { x: [] as number[], y: [] as number[], rows: 0 };
  for await (const c of chunks) {
    const d = c.x.length / Math.max(1, c.rows);
    const s = denseOf(c.sparse!, width);
    for (let r = 0; r < c.rows; r++) out.x.push(...c.x.subarray(r * d, (r + 1) * d), ...s.subarray(r * width, (r + 1) * width));
    out.y.push(...c.y);
    out.rows += c.rows;
  }
  return out;
}

const cases: [string, Partial<SparseDataOptions>, 'f32' | 'f16'][] = [
  ['signed indicators', { kind: 'signed' }, 'f32'], ['one-hot, no dense columns', { kind: 'onehot', dense: 0 }, 'f32'],
  ['float32 values', { kind: 'valued' }, 'f32'], ['float16 values', { kind: 'valued' }, 'f16'],
];

describe.each(cases)('cache layout 3: %s', (name, o, dtype) => {
  const { sparse: ds } = sparseAndDense({ rows: 301, dense: 2, width: 50, perRow: 5, task: 'regression', chunkRows: 77, kind: 'onehot', ...o });
  if (o.kind === 'onehot') ds.sparse = { ...ds.sparse!, encoding: { format: 'columns', categorical: [], crosses: [], hash: null, width: 50 } };
  const path = tmp.file(`${name.replace(/\W+/g, '_')}.dh`);

  it('round-trips rows through passes and random access across blocks', async () => {
    const w = await CsrCacheWriter.create(path, ds.features, ds.target, { width: 50, encoding: ds.sparse!.encoding, values: o.kind === 'valued' ? dtype : 'indicator' }, 64);
    for (const c of ds.chunks) await w.write(c);
    const h = await w.close();
    expect(h.rows).toBe(301);
    const src = (await cacheSource(path)) as CsrCacheSource;
    expect(src).toBeInstanceOf(CsrCacheSource);
    expect(src.sparse!.width).toBe(50);
    expect(src.sparse!.nnzPerRow).toBe(5);
    // float16 values: the written rows with their values rounded to halves, exactly.
    const written = dtype === 'f16' ? ds.chunks.map((c) => ({ ...c, sparse: { ...c.sparse!, val: roundF16Array(c.sparse!.val!.slice()) } })) : ds.chunks;
    const want = await rowsOf(written, 50);
    const got = await rowsOf(src.read({ maxRows: 50 }), 50);
    expect(got.x).toEqual(want.x);
    expect(got.y).toEqual(want.y);
    const part = await rowsOf([await src.readRows!(60, 70)], 50);
    const cols = (o.dense ?? 2) + 50;
    expect(part.x).toEqual(want.x.slice(60 * cols, 130 * cols));
    await src.close?.();
  });
});

describe('cache layout 3: writeCache and damage', () => {
  const { sparse: ds } = sparseAndDense({ rows: 200, dense: 1, width: 20, perRow: 3, kind: 'valued', task: 'regression' });

  it('writeCache stores a sparse source as layout 3 with the dense statistics', async () => {
    const path = tmp.file('write.dh');
    const info = await writeCache(path, memorySource(ds));
    expect(fs.readFileSync(path).readUInt32LE(28)).toBe(3);
    expect(info.featureStats[0].count).toBe(200);
    const src = await cacheSource(path);
    expect((src as CsrCacheSource).stats.features.length).toBe(1);
  });

  it('a truncated file or a changed block is a DataError naming the file', async () => {
    const path = tmp.file('damaged.dh');
    await writeCache(path, memorySource(ds));
    const b = fs.readFileSync(path);
    fs.writeFileSync(tmp.file('short.dh'), b.subarray(0, b.length - 9));
    await expect(cacheSource(tmp.file('short.dh'))).rejects.toThrow(/short\.dh: truncated: expected \d+ bytes for 200 rows in 1 blocks/);
    const bad = Buffer.from(b);
    const h = bad.readUInt32LE(12);
    bad.writeUInt32LE(0xffff, h + 200 * 2 * 4 + 4 * 5); // a row offset in the middle of the block
    fs.writeFileSync(tmp.file('bad.dh'), bad);
    const src = await cacheSource(tmp.file('bad.dh'));
    await expect(rowsOf(src.read(), 20)).rejects.toThrow(/bad\.dh: row \d+: .*corrupt/);
  });
});
