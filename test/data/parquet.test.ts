// Parquet through hyparquet on real files written with hyparquet-writer: values, random access, passes in
// chunks, every column type the reader accepts, and clear errors for what it cannot read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { parquetFileSource } from '../../src/data/node_files';

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
