// Parquet through hyparquet on real files written with hyparquet-writer: values, random access, passes in
// chunks, every column type the reader accepts, and clear errors for what it cannot read.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { parquetFileSource } from '../../src/data/node_files';
import { ParquetSource, pieces } from '../../src/data/parquet';

const dir = mkdtempSync(join(tmpdir(), 'downhill-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, columnData: { name: string; data: unknown[] | ArrayLike<unknown>; type?: string }[], rowGroupSize?: number): string {
  const path = join(dir, name);
  writeFileSync(path, new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize } as Parameters<typeof parquetWriteBuffer>[0])));
  return path;
}

const n = 2500;
const a = Array.from({ length: n }, (_, i) => i * 0.5 - 100);
const b = Array.from({ length: n }, (_, i) => (i % 7) - 3);
const y = a.map((v, i) => 2 * v - b[i] + 1);

describe('parquetFileSource', () => {
  it('reads DOUBLE, INT32 and FLOAT columns in chunks across row groups, in header order or as chosen', async () => {
    const path = write('t.parquet', [
      { name: 'a', data: a, type: 'DOUBLE' }, { name: 'y', data: Float32Array.from(y), type: 'FLOAT' },
      { name: 'b', data: Int32Array.from(b), type: 'INT32' },
    ], 1000);
    const src = await parquetFileSource(path, { target: 'y' });
    expect(src.rows).toBe(n);
    expect(src.features).toEqual(['a', 'b']);
    let seen = 0;
    for await (const c of src.read({ maxRows: 333 })) {
      expect(c.firstRow).toBe(seen);
      for (let r = 0; r < c.rows; r++) {
        const i = seen + r;
        expect([c.x[2 * r], c.x[2 * r + 1], c.y[r]]).toEqual([Math.fround(a[i]), b[i], Math.fround(y[i])]);
      }
      seen += c.rows;
    }
    expect(seen).toBe(n);
    const mid = await src.readRows(995, 10); // spans the boundary between row groups 1 and 2
    expect(mid.x[0]).toBe(Math.fround(a[995]));
    expect(mid.y[9]).toBe(Math.fround(y[1004]));
    const picked = await parquetFileSource(path, { target: 'y', features: ['b'] });
    expect((await picked.readRows(3, 1)).x[0]).toBe(b[3]);
    await src.close?.();
    await picked.close?.();
  });

  it('decodes each row group once a pass, however small the chunks, and chunks never cross a group', async () => {
    const path = write('groups.parquet', [{ name: 'a', data: a, type: 'DOUBLE' }, { name: 'y', data: y, type: 'DOUBLE' }], 1000);
    const bytes = readFileSync(path);
    let read = 0;
    const file = { byteLength: bytes.length, slice: (s: number, e?: number) => { read += (e ?? bytes.length) - s; return bytes.buffer.slice(bytes.byteOffset + s, bytes.byteOffset + (e ?? bytes.length)); } };
    const src = await ParquetSource.open('groups.parquet', file, { target: 'y' });
    read = 0;
    const firsts: number[] = [];
    let seen = 0;
    for await (const c of src.read({ maxRows: 64 })) {
      const first = c.firstRow!;
      expect(first).toBe(seen);
      expect(c.rows).toBeLessThanOrEqual(64);
      expect(Math.floor(first / 1000)).toBe(Math.floor((first + c.rows - 1) / 1000));
      for (let r = 0; r < c.rows; r++) expect([c.x[r], c.y[r]]).toEqual([Math.fround(a[first + r]), Math.fround(y[first + r])]);
      firsts.push(first);
      seen += c.rows;
    }
    expect(seen).toBe(n);
    expect(firsts.slice(0, 3)).toEqual([0, 64, 128]);
    // Chunk by chunk, each of a group's 16 chunks would fetch and decode the group's pages again.
    expect(read).toBeLessThan(bytes.length);
  });

  it('cuts row groups into pieces of at most the given rows, in order, covering every row once', () => {
    expect(pieces([1000, 1000, 500], 1000)).toEqual([[0, 1000], [1000, 2000], [2000, 2500]]);
    expect(pieces([1000, 0, 10], 400)).toEqual([[0, 333], [333, 666], [666, 1000], [1000, 1010]]);
    for (const [groups, most] of [[[7, 3, 12], 5], [[1], 1], [[3000], 7]] as const) {
      const p = pieces(groups, most);
      expect(p[0][0]).toBe(0);
      expect(p.at(-1)![1]).toBe(groups.reduce((s, g) => s + g, 0));
      for (let i = 0; i < p.length; i++) {
        expect(p[i][1] - p[i][0]).toBeLessThanOrEqual(most);
        expect(p[i][1]).toBeGreaterThan(p[i][0]);
        if (i > 0) expect(p[i][0]).toBe(p[i - 1][1]);
      }
    }
  });

  it('names the file and column for what it cannot read', async () => {
    const path = write('s.parquet', [{ name: 'a', data: a, type: 'DOUBLE' }, { name: 'label', data: a.map(String), type: 'STRING' }]);
    await expect(parquetFileSource(path, { target: 'label' })).rejects.toThrow(/s\.parquet \(column label\): expected a numeric column, found BYTE_ARRAY/);
    await expect(parquetFileSource(path, { target: 'zz' })).rejects.toThrow(/target column "zz" is not in the file; columns are: a, label/);
    const withNull = write('n.parquet', [{ name: 'a', data: [1, null, 3], type: 'DOUBLE' }, { name: 'y', data: [1, 2, 3], type: 'DOUBLE' }]);
    const src = await parquetFileSource(withNull, { target: 'y' });
    await expect(src.readRows(0, 3)).rejects.toThrow(/n\.parquet: row 2 \(column a\): missing value/);
    const junk = join(dir, 'junk.parquet');
    writeFileSync(junk, 'not parquet at all');
    await expect(parquetFileSource(junk, { target: 'y' })).rejects.toThrow(/junk\.parquet: not a readable Parquet file/);
  });
});
