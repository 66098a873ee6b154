// Tests for the ".dh" binary cache (src/data/cache.ts, cache_format.ts) and block reads (blocks.ts): the
// bytes on disk follow the documented layout, rows read back bit for bit (passes and random access),
// statistics equal a two-pass computation on the stored float32 values, writes are atomic, and a damaged
// file is a DataError naming it.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HostChunk } from '../../src/core/dataset';
import { Rng } from '../../src/core/rng';
import { blockedPass, blockRows, BLOCK_BYTES } from '../../src/data/blocks';
import { cacheSource, CacheWriter, writeCache } from '../../src/data/cache';
import { DataError } from '../../src/data/csv';
import { memorySource, type DataSource } from '../../src/data/source';
import { statsOf } from '../../src/core/stats';
import { linearDataset } from '../../src/data/synthetic';
import { firstDiff, flatten, gather, rejection, tempDir } from './helpers';

const tmp = tempDir('cache');
const ds = linearDataset({ rows: 1000, features: 3, seed: 4, chunkRows: 300, scales: [1e-3, 1, 1e3] });
const ref = flatten(ds);

describe('cache: write and read', () => {
  it('lays out the header and row-major rows (x then y) as documented', async () => {
    const path = tmp.file('layout.dh');
    await writeCache(path, memorySource(ds));
    const b = fs.readFileSync(path);
    expect(b.subarray(0, 8).toString('latin1')).toBe('DOWNHILL');
    const [version, h] = [b.readUInt32LE(8), b.readUInt32LE(12)];
    expect([version, h % 64, Number(b.readBigUInt64LE(16)), b.readUInt32LE(24), b.readUInt32LE(28)]).toEqual([1, 0, 1000, 3, 1]);
    const namesLen = b.readUInt32LE(32);
    const names = JSON.parse(b.subarray(40 + 40 * 4, 40 + 40 * 4 + namesLen).toString('utf8'));
    expect(names).toEqual({ features: ['x1', 'x2', 'x3'], target: 'y' });
    expect(b.readDoubleLE(40)).toBe(1000);
    expect(b.length).toBe(h + 1000 * 4 * 4);
    expect([b.readFloatLE(h), b.readFloatLE(h + 4), b.readFloatLE(h + 8), b.readFloatLE(h + 12)]).toEqual([ref.x[0], ref.x[1], ref.x[2], ref.y[0]]);
    expect(b.readFloatLE(h + 16)).toBe(ref.x[3]);
  });

  it('reads back every row exactly, in passes of any chunk size and by random access', async () => {
    const path = tmp.file('rows.dh');
    const info = await writeCache(path, memorySource(ds));
    expect(info.rows).toBe(1000);
    const src = await cacheSource(path);
    expect([src.rows, src.features, src.target]).toEqual([1000, ['x1', 'x2', 'x3'], 'y']);
    for (const maxRows of [undefined, 1, 333]) {
      const g = await gather(src, { maxRows });
      expect(firstDiff(g.x, ref.x)).toBe(-1);
      expect(firstDiff(g.y, ref.y)).toBe(-1);
      expect(g.firstRows[g.firstRows.length - 1]).toBe(maxRows ? 1000 - (1000 % maxRows || maxRows) : 0);
    }
    const rng = new Rng(1);
    for (let k = 0; k < 20; k++) {
      const start = rng.int(1000);
      const count = rng.int(1000 - start + 1);
      const c = await src.readRows(start, count);
      expect(firstDiff(c.x, ref.x.slice(start * 3, (start + count) * 3))).toBe(-1);
      expect(firstDiff(c.y, ref.y.slice(start, start + count))).toBe(-1);
    }
    await expect(src.readRows(999, 2)).rejects.toThrow(RangeError);
    await src.close();
  });

  it('stores per-column statistics of the float32 values (scales 1e-3 to 1e3)', async () => {
    const path = tmp.file('stats.dh');
    await writeCache(path, memorySource(ds), { maxRows: 77 });
    const { stats } = await cacheSource(path);
    const cols = [0, 1, 2].map((j) => ref.x.filter((_, i) => i % 3 === j));
    [...cols, ref.y].forEach((v, j) => {
      const s = j < 3 ? stats.features[j] : stats.target;
      const want = statsOf(v, v.length);
      expect(s.count).toBe(1000);
      expect(s.mean).toBeCloseTo(want.mean, 12);
      expect(Math.abs(s.m2 - want.m2) / want.m2).toBeLessThan(1e-10);
      expect([s.min, s.max]).toEqual([Math.min(...v), Math.max(...v)]);
    });
    const ratio = Math.sqrt(stats.features[2].m2 / stats.features[0].m2);
    expect(ratio).toBeGreaterThan(0.9e6);
    expect(ratio).toBeLessThan(1.1e6);
  });
});

describe('cache: atomic writes and damaged files', () => {
  /** A source that fails after its first chunk. */
  const failing: DataSource = {
    description: 'failing', features: ['a'], target: 'y', rows: null,
    async *read() {
      yield { rows: 1, x: Float32Array.of(1), y: Float32Array.of(2) } satisfies HostChunk;
      throw new Error('disk on fire');
    },
  };

  it('leaves an existing file untouched and no temp file when the input fails midway', async () => {
    const path = tmp.file('keep.dh', 'old contents');
    const before = fs.readdirSync(tmp.dir).sort();
    await expect(writeCache(path, failing)).rejects.toThrow('disk on fire');
    expect(fs.readFileSync(path, 'utf8')).toBe('old contents');
    expect(fs.readdirSync(tmp.dir).sort()).toEqual(before);
  });

  it('rejects a chunk of the wrong shape and removes the temp file', async () => {
    const w = await CacheWriter.create(tmp.file('shape.dh'), ['a', 'b'], 'y');
    await expect(w.write({ rows: 2, x: new Float32Array(3), y: new Float32Array(2) })).rejects.toThrow(/has 3 x values for 2 features/);
    expect(fs.readdirSync(tmp.dir).filter((f) => f.includes('shape.dh'))).toEqual([]);
  });

  it('names bad magic, a newer version and a truncated file', async () => {
    const good = tmp.file('good.dh');
    await writeCache(good, memorySource(ds));
    const bytes = fs.readFileSync(good);
    const cases: [string, Uint8Array, RegExp][] = [
      ['magic.dh', new Uint8Array([...Buffer.from('NOTDHILL'), ...bytes.subarray(8)]), /not a downhill cache \(bad magic bytes/],
      ['version.dh', (() => { const c = Buffer.from(bytes); c.writeUInt32LE(2, 8); return c; })(), /unsupported cache format version 2; expected 1/],
      ['cut.dh', bytes.subarray(0, bytes.length - 4), /truncated: expected \d+ bytes for 1000 rows × 4 columns, file has \d+/],
      ['tiny.dh', bytes.subarray(0, 5), /not a downhill cache/],
    ];
    for (const [name, content, re] of cases) {
      const f = tmp.file(name, content);
      const e = await rejection(cacheSource(f));
      expect(e).toBeInstanceOf(DataError);
      expect(e.message).toMatch(re);
      expect(e.message.startsWith(f)).toBe(true);
    }
  });
});

describe('blockedPass', () => {
  it('reads whole blocks of at least 8 MiB and hands them out as maxRows chunks', async () => {
    expect(blockRows(16, 65536)).toBe(65536 * 8);
    expect(blockRows(BLOCK_BYTES, 10)).toBe(10);
    const calls: [number, number][] = [];
    const read = async (start: number, count: number): Promise<HostChunk> => {
      calls.push([start, count]);
      return { rows: count, x: Float32Array.from({ length: count }, (_, i) => start + i), y: new Float32Array(count) };
    };
    const rowBytes = BLOCK_BYTES / 4;
    const chunks = [];
    for await (const c of blockedPass(10, 1, rowBytes, { maxRows: 3 }, read)) chunks.push([c.firstRow, c.rows, c.x[0]]);
    expect(calls).toEqual([[0, 6], [6, 4]]);
    expect(chunks).toEqual([[0, 3, 0], [3, 3, 3], [6, 3, 6], [9, 1, 9]]);
  });
});
