// The page's file adapter without a browser (Node's Blob and File): the column preview, and CSV and NPY
// files opened as streaming sources with the chosen target column.
import { describe, expect, it } from 'vitest';
import type { HostChunk } from '../../src/core/dataset';
import { encodeNpyHeader } from '../../src/data/npy_format';
import type { DataSource } from '../../src/data/source';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { csvHeader, formatOf, loadFile, previewFile } from '../../src/web/files';

async function readAll(s: DataSource, maxRows?: number): Promise<HostChunk[]> {
  const out: HostChunk[] = [];
  for await (const c of s.read({ maxRows })) out.push(c);
  return out;
}

/** A copy on a plain ArrayBuffer (what BlobPart's type asks for). */
const bytes = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b);

function npyFile(name: string, rows: number[][], dtype: '<f4' | '<f8' = '<f8'): File {
  const flat = rows.flat();
  const data = dtype === '<f4' ? new Float32Array(flat) : new Float64Array(flat);
  return new File([bytes(encodeNpyHeader(dtype, [rows.length, rows[0].length])), new Uint8Array(data.buffer)], name);
}

describe('csvHeader and previewFile', () => {
  it('splits a header like the reader: delimiter detection, quotes, BOM, CRLF', () => {
    expect(csvHeader('\uFEFFa;"b c";y\r\n1;2;3')).toEqual(['a', 'b c', 'y']);
    expect(csvHeader('x\ty\n')).toEqual(['x', 'y']);
    expect(csvHeader(' a , b ')).toEqual(['a', 'b']);
  });
  it('previews CSV columns from the first bytes and NPY columns from the header', async () => {
    expect(await previewFile(new File(['a,price,b\n1,2,3\n'], 'p.csv'))).toEqual({ format: 'csv', columns: ['a', 'price', 'b'], rows: null });
    expect(await previewFile(npyFile('m.npy', [[1, 2], [3, 4], [5, 6]]))).toEqual({ format: 'npy', columns: ['column 0', 'column 1'], rows: 3 });
    await expect(previewFile(new File(['justone\n1\n'], 'one.csv'))).rejects.toThrow(/one column/);
    const pq = new File([new Uint8Array(parquetWriteBuffer({ columnData: [
      { name: 'a', data: [1, 2, 3], type: 'DOUBLE' }, { name: 'price', data: [2, 4, 6], type: 'DOUBLE' }] }))], 'p.parquet');
    expect(await previewFile(pq)).toEqual({ format: 'parquet', columns: ['a', 'price'], rows: 3 });
    const rows = await (await loadFile(pq, 'price')).readRows!(1, 2);
    expect([...rows.x, ...rows.y]).toEqual([2, 3, 4, 6]);
    expect(formatOf('A.NPY')).toBe('npy');
    expect(formatOf('data.tsv')).toBe('csv');
  });
});

describe('loadFile', () => {
  it('streams a CSV with the chosen target', async () => {
    const text = 'a,price,b\n' + Array.from({ length: 1000 }, (_, i) => `${i},${2 * i},${-i}`).join('\n') + '\n';
    const s = await loadFile(new File([text], 'p.csv'), 'price');
    expect([...s.features]).toEqual(['a', 'b']);
    expect(s.target).toBe('price');
    const chunks = await readAll(s, 256);
    expect(chunks.reduce((n, c) => n + c.rows, 0)).toBe(1000);
    expect([...chunks[1].x.subarray(0, 2)]).toEqual([256, -256]);
    expect(chunks[1].y[0]).toBe(512);
  });

  it('reads a 2-D NPY in row blocks with any column as the target', async () => {
    const rows = Array.from({ length: 700 }, (_, i) => [i, 10 * i, -i]);
    for (const dtype of ['<f4', '<f8'] as const) {
      const s = await loadFile(npyFile('m.npy', rows, dtype), 'column 1');
      expect([...s.features]).toEqual(['column 0', 'column 2']);
      expect(s.rows).toBe(700);
      const chunks = await readAll(s, 300);
      expect(chunks.map((c) => c.rows)).toEqual([300, 300, 100]);
      expect(chunks.map((c) => c.firstRow)).toEqual([0, 300, 600]);
      expect([...chunks[2].x.subarray(0, 2)]).toEqual([600, -600]);
      expect(chunks[2].y[0]).toBe(6000);
    }
  });

  it('rejects NPY files it cannot read, saying why', async () => {
    const oneD = new File([bytes(encodeNpyHeader('<f8', [4])), new Uint8Array(32)], 'v.npy');
    await expect(loadFile(oneD, 'column 0')).rejects.toThrow(/2-D array/);
    const short = new File([bytes(encodeNpyHeader('<f8', [100, 3])), new Uint8Array(16)], 's.npy');
    await expect(loadFile(short, 'column 0')).rejects.toThrow(/shorter than its shape/);
    await expect(loadFile(npyFile('m.npy', [[1, 2]]), 'column 5')).rejects.toThrow(/no column "column 5"/);
    await expect(loadFile(new File(['not npy at all'], 'x.npy'), 'column 0')).rejects.toThrow(/not a \.npy file/);
  });
});
