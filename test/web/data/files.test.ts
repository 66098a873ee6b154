// The page's file adapter without a browser (Node's Blob and File): what a file is from its first bytes, the
// column preview, CSV and NPY files (and the CLI's NPY pair) opened as streaming sources with the chosen target
// column, and files read from an HTTP server with range requests (the tests' server, and `npm run preview`'s).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preview } from 'vite';
import { describe, expect, it } from 'vitest';
import type { HostChunk } from '../../../src/core/dataset';
import { encodeNpyHeader } from '../../../src/data/npy_format';
import type { DataSource } from '../../../src/data/source';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { HttpFile } from '../../../src/data/http_file';
import { csvHeader, csvRowsEstimate, FileKindError, formatOf, loadFile, npyPair, previewFile, sniffFormat } from '../../../src/web/data/files';
import { serveStatic } from '../static_server';

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
  it('estimates the rows of a CSV file from its first bytes', async () => {
    expect(csvRowsEstimate('a,b\n1,2\n3,4', 11)).toBe(2);
    expect(csvRowsEstimate('a,b\n1,2\n3,4\n\n', 13)).toBe(2);
    expect(csvRowsEstimate('a,b\n1,2\n3,', 4 + 4 * 1000)).toBe(1000);
    expect(csvRowsEstimate('a,b\n1,', 1e6)).toBeNull();
    const big = new File([`x,y\n${'12.5,3.25\n'.repeat(100_000)}`], 'big.csv');
    expect((await previewFile(big)).approxRows).toBeCloseTo(100_000, -1);
  });

  it('previews CSV columns from the first bytes and NPY columns from the header', async () => {
    expect(await previewFile(new File(['a,price,b\n1,2,3\n'], 'p.csv'))).toMatchObject({ format: 'csv', columns: ['a', 'price', 'b'], rows: null, approxRows: 1 });
    expect((await previewFile(new File(['a,price,b\n1,2,3\n'], 'p.csv'))).profile?.columns.map((c) => c.kind)).toEqual(['number', 'number', 'number']);
    expect(await previewFile(npyFile('m.npy', [[1, 2], [3, 4], [5, 6]]))).toMatchObject({ format: 'npy', columns: ['column 0', 'column 1'], rows: 3, approxRows: 3, profile: { complete: true, rows: 3 } });
    await expect(previewFile(new File(['justone\n1\n'], 'one.csv'))).rejects.toThrow(/one column/);
    const pq = new File([new Uint8Array(parquetWriteBuffer({ columnData: [
      { name: 'a', data: [1, 2, 3], type: 'DOUBLE' }, { name: 'price', data: [2, 4, 6], type: 'DOUBLE' }] }))], 'p.parquet');
    expect(await previewFile(pq)).toMatchObject({ format: 'parquet', columns: ['a', 'price'], rows: 3, approxRows: 3, profile: { complete: true, rows: 3 } });
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
    await expect(loadFile(new File(['not npy at all'], 'x.npy'), 'column 0')).rejects.toThrow(/named \.npy but is not an NPY file/);
  });
});

describe('sniffFormat', () => {
  const b = (...v: number[]) => new Uint8Array(v);
  const text = (t: string) => new TextEncoder().encode(t);
  it('tells NPY and Parquet by their magic, whatever the name, and text as CSV', () => {
    expect(sniffFormat(text('PAR1....'), 'data.bin')).toBe('parquet');
    expect(sniffFormat(b(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0), 'x.dat')).toBe('npy');
    expect(sniffFormat(text('a,b\n1,2\n'), 'x.csv')).toBe('csv');
    expect(sniffFormat(text('\uFEFFa;b\n1;2\n'), 'x.txt')).toBe('csv');
  });

  it('names what a file that is not a table is, and what to do', () => {
    const cases: [Uint8Array, string, RegExp][] = [
      [b(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), 'x.csv', /PNG image/],
      [b(0x1f, 0x8b, 8, 0), 'x.csv.gz', /gzip-compressed: decompress it first/],
      [text('PK\x03\x04rest'), 'book.xlsx', /ZIP archive \(or an Excel workbook\)/],
      [text('[{"a": 1, "b": 2}]'), 'x.json', /JSON, not CSV/],
      [text('  {"a": 1}'), 'x.csv', /JSON, not CSV/],
      [b(0xff, 0xfe, 0x61, 0, 0x2c, 0), 'u16.csv', /UTF-16 text: save it as UTF-8/],
      [b(0x61, 0, 0x2c, 0, 0x62, 0, 0x0a, 0), 'u16.csv', /UTF-16 text/],
      [b(1, 2, 3, 0, 5, 6, 7, 8, 9, 0, 0, 0), 'blob.csv', /binary file/],
      [text('DOWNHILL\x01\x00'), 'c.dh', /downhill cache/],
      [text('a,b\n1,2\n'), 'x.parquet', /named \.parquet but is not a Parquet file/],
      [text('%PDF-1.7'), 'r.csv', /PDF/],
      [new Uint8Array(0), 'empty.csv', /is empty/],
    ];
    for (const [head, name, want] of cases) {
      expect(() => sniffFormat(head, name), name).toThrow(want);
      expect(() => sniffFormat(head, name)).toThrow(FileKindError);
    }
  });

  it('is what previewFile and loadFile check first', async () => {
    const png = new File([b(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13)], 'photo.csv');
    await expect(previewFile(png)).rejects.toThrow(/photo\.csv is a PNG image/);
    await expect(loadFile(png, 'y')).rejects.toThrow(/PNG image/);
    await expect(previewFile(new File(['[1, 2, 3]'], 'list.json'))).rejects.toThrow(/JSON/);
  });
});

describe('the CLI\'s NPY pair and files on an HTTP server', () => {
  const f4 = (name: string, shape: number[], values: number[]) =>
    new File([bytes(encodeNpyHeader('<f4', shape)), new Uint8Array(new Float32Array(values).buffer)], name);

  it('pairs X.npy with X.y.npy in either order, and reads features x1…xD with target y', async () => {
    const x = f4('pts.npy', [3, 2], [1, 2, 3, 4, 5, 6]);
    const y = f4('pts.y.npy', [3], [7, 8, 9]);
    expect(npyPair([y, x])).toEqual([x, y]);
    expect(npyPair([x, f4('other.y.npy', [3], [0, 0, 0])])).toBeNull();
    expect(npyPair([x])).toBeNull();
    const p = await previewFile(x, y);
    expect(p).toMatchObject({ format: 'npy-pair', columns: ['x1', 'x2', 'y'], rows: 3 });
    const s = await loadFile(x, 'y', false, { features: ['x2'], missing: 'error', decimalComma: false }, y);
    const [c] = await readAll(s);
    expect([...s.features, s.target, ...c.x, ...c.y]).toEqual(['x2', 'y', 2, 4, 6, 7, 8, 9]);
    await expect(previewFile(x, f4('pts.y.npy', [2], [1, 2]))).rejects.toThrow(/holds 2 targets for the 3 rows of pts\.npy/);
    const nan = await loadFile(x, 'y', false, undefined, f4('pts.y.npy', [3], [1, NaN, 2]));
    await expect(readAll(nan)).rejects.toThrow(/pts\.y\.npy: row 2 \(column 1 "y"\): NaN is not a number/);
  });

  it('reads a CSV and a Parquet file from a URL with range requests (the tests\' server and Vite\'s preview), and a server that ignores ranges', async () => {
    const csv = new TextEncoder().encode(`a,b,y\n${Array.from({ length: 2000 }, (_, i) => `${i % 9},${i % 4},${i % 13}`).join('\n')}\n`);
    const pq = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'a', data: [1, 2, 3], type: 'DOUBLE' }, { name: 'y', data: [2, 4, 6], type: 'DOUBLE' }] }));
    const server = await serveStatic('/nonexistent', { files: { '/d/x.csv': csv, '/d/x.parquet': pq } });
    try {
      const file = await HttpFile.open(`${server.origin}/d/x.csv`);
      expect([file.name, file.size]).toEqual(['x.csv', csv.length]);
      expect(await file.slice(0, 6).text()).toBe('a,b,y\n');
      expect(await file.slice(csv.length - 2, csv.length + 10).text()).toBe(new TextDecoder().decode(csv.subarray(csv.length - 2)));
      const p = await previewFile(file);
      expect(p.profile.complete).toBe(true);
      const s = await loadFile(file, 'y');
      expect((await readAll(s)).reduce((n, c) => n + c.rows, 0)).toBe(2000);
      const remote = await HttpFile.open(`${server.origin}/d/x.parquet`);
      const rows = await (await loadFile(remote, 'y')).readRows!(0, 3);
      expect([...rows.x, ...rows.y]).toEqual([1, 2, 3, 2, 4, 6]);
      await expect(HttpFile.open(`${server.origin}/d/missing.csv`)).rejects.toThrow(/missing\.csv.*404/);
    } finally {
      await server.close();
    }
    // `npm run preview` itself (Vite's preview server) answers HEAD and byte ranges as the reader needs them.
    const dir = mkdtempSync(join(tmpdir(), 'downhill-preview-'));
    writeFileSync(join(dir, 'x.csv'), csv);
    writeFileSync(join(dir, 'x.parquet'), pq);
    const vite = await preview({ configFile: false, root: dir, build: { outDir: dir }, preview: { host: '127.0.0.1', port: 0 }, logLevel: 'silent' });
    try {
      const at = vite.resolvedUrls!.local[0];
      const head = await fetch(`${at}x.parquet`, { headers: { Range: 'bytes=0-3' } });
      expect([head.status, await head.text()]).toEqual([206, 'PAR1']);
      const s = await loadFile(await HttpFile.open(`${at}x.csv`), 'y');
      expect((await readAll(s)).reduce((n, c) => n + c.rows, 0)).toBe(2000);
      const rows = await (await loadFile(await HttpFile.open(`${at}x.parquet`), 'y')).readRows!(1, 2);
      expect([...rows.x, ...rows.y]).toEqual([2, 3, 4, 6]);
    } finally {
      await vite.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const plain = await serveStatic('/nonexistent', { files: { '/x.csv': csv }, ranges: false });
    try {
      const file = await HttpFile.open(`${plain.origin}/x.csv`);
      expect(await file.slice(2, 5).text()).toBe('b,y');
    } finally {
      await plain.close();
    }
  });
});
