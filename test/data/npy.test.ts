// Tests for .npy files (src/data/npy.ts, npy_format.ts): files built byte by byte here from the format's
// spec (versions 1.0, 2.0, 3.0; float32 and float64; X + y or one matrix) read back exactly; chunked passes
// and random access; every error path; and the streaming writer's output checked against the spec.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/csv';
import { npySource, NpyWriter, readNpyHeader } from '../../src/data/npy';
import { gather, rejection, tempDir } from './helpers';

const tmp = tempDir('npy');

/** An .npy file per the spec: magic, version, little-endian header length, dict padded to 64 bytes with '\n'. */
function npy(descr: string, shape: string, data: Uint8Array, o: { major?: number; fortran?: string } = {}): Uint8Array {
  const major = o.major ?? 1;
  const dict = `{'descr': '${descr}', 'fortran_order': ${o.fortran ?? 'False'}, 'shape': ${shape}, }`;
  const pre = major === 1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, total - pre, true);
  else dv.setUint32(8, total - pre, true);
  const padded = dict.padEnd(total - pre - 1, ' ') + '\n';
  for (let i = 0; i < padded.length; i++) out[pre + i] = padded.charCodeAt(i);
  out.set(data, total);
  return out;
}

const f4 = (v: number[]) => new Uint8Array(Float32Array.from(v).buffer);
const f8 = (v: number[]) => new Uint8Array(Float64Array.from(v).buffer);
const X = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]; // 4 rows × 3

describe('npySource: reading', () => {
  it('reads X (N, D) and y (N,) as float32, with names x1..xD', async () => {
    const x = tmp.file('x.npy', npy('<f4', '(4, 3)', f4(X)));
    const y = tmp.file('y.npy', npy('<f4', '(4,)', f4([0.5, 1.5, 2.5, 3.5])));
    const src = await npySource({ x, y });
    expect([src.rows, src.features, src.target]).toEqual([4, ['x1', 'x2', 'x3'], 'y']);
    expect(await gather(src)).toMatchObject({ rows: 4, x: X, y: [0.5, 1.5, 2.5, 3.5], sizes: [4] });
    const part = await src.readRows(1, 2);
    expect([...part.x, ...part.y, part.firstRow]).toEqual([4, 5, 6, 7, 8, 9, 1.5, 2.5, 1]);
    await expect(src.readRows(3, 2)).rejects.toThrow(RangeError);
    await src.close();
  });

  it('converts float64 to float32 (y of shape (N, 1), version 2.0 header)', async () => {
    const x = tmp.file('x8.npy', npy('<f8', '(2, 1)', f8([0.1, 1e-50]), { major: 2 }));
    const y = tmp.file('y8.npy', npy('<f8', '(2, 1)', f8([1 / 3, -2.5]), { major: 2 }));
    const g = await gather(await npySource({ x, y, features: ['a'], target: 't' }));
    expect(g.x).toEqual([Math.fround(0.1), 0]);
    expect(g.y).toEqual([Math.fround(1 / 3), -2.5]);
  });

  it('takes the target from a column of one matrix (version 3.0), the last by default', async () => {
    const m = tmp.file('m.npy', npy('<f4', '(4, 3)', f4(X), { major: 3 }));
    const mid = await gather(await npySource({ x: m, targetColumn: 1 }));
    expect(mid.x).toEqual([1, 3, 4, 6, 7, 9, 10, 12]);
    expect(mid.y).toEqual([2, 5, 8, 11]);
    const last = await npySource({ x: m });
    expect(last.features).toEqual(['x1', 'x2']);
    expect((await gather(last)).y).toEqual([3, 6, 9, 12]);
  });

  it('reads 10 MB of rows into a caller\'s arrays exactly from any start, and names the first bad value by row and column', async () => {
    const d = 5;
    const n = 500_003;
    const xs = Float32Array.from({ length: n * d }, (_, i) => (i % 9973) - 0.5);
    const ys = Float32Array.from({ length: n }, (_, r) => r % 3);
    const x = tmp.file('big.npy', npy('<f4', `(${n}, ${d})`, new Uint8Array(xs.buffer)));
    const y = tmp.file('big.y.npy', npy('<f4', `(${n},)`, new Uint8Array(ys.buffer)));
    const src = await npySource({ x, y });
    const into = { rows: n - 7, x: new Float32Array((n - 7) * d).fill(NaN), y: new Float32Array(n - 7).fill(NaN) };
    await src.readRowsInto(7, n - 7, into);
    // Byte comparisons: toEqual walks 5 M values one by one.
    const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    expect(bytes(into.x).equals(bytes(xs.subarray(7 * d)))).toBe(true);
    expect(bytes(into.y).equals(bytes(ys.subarray(7)))).toBe(true);
    await src.close();
    const bad = Float32Array.from(xs);
    bad[480_000 * d + 3] = Infinity;
    bad[450_000 * d + 2] = NaN;
    const xb = tmp.file('bad.npy', npy('<f4', `(${n}, ${d})`, new Uint8Array(bad.buffer)));
    const srcBad = await npySource({ x: xb, y });
    const e = await rejection(srcBad.readRowsInto(0, n, { rows: n, x: new Float32Array(n * d), y: new Float32Array(n) }));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toMatch(/row 450001\b.*3 "x3".*NaN/);
    await srcBad.close();
  });

  it('yields chunks of maxRows rows with firstRow', async () => {
    const n = 10;
    const m = tmp.file('c.npy', npy('<f4', `(${n}, 2)`, f4(Array.from({ length: 2 * n }, (_, i) => i))));
    const g = await gather(await npySource({ x: m }), { maxRows: 3 });
    expect(g.sizes).toEqual([3, 3, 3, 1]);
    expect(g.firstRows).toEqual([0, 3, 6, 9]);
    expect(g.y).toEqual(Array.from({ length: n }, (_, r) => 2 * r + 1));
  });
});

describe('npySource: errors', () => {
  const err = async (p: Promise<unknown>) => {
    const e = await rejection(p);
    expect(e).toBeInstanceOf(DataError);
    return e.message;
  };

  it('bad magic, unknown version, truncated data and trailing bytes', async () => {
    const bad = tmp.file('bad.npy', 'x1,x2\n1,2\n');
    expect(await err(npySource({ x: bad }))).toBe(`${bad}: not a .npy file (bad magic bytes; expected "\\x93NUMPY")`);
    const v4 = npy('<f4', '(1, 2)', f4([1, 2]));
    v4[6] = 4;
    expect(await err(npySource({ x: tmp.file('v4.npy', v4) }))).toMatch(/unsupported \.npy format version 4\.0/);
    const full = npy('<f4', '(4, 3)', f4(X));
    const cut = tmp.file('cut.npy', full.subarray(0, full.length - 5));
    expect(await err(npySource({ x: cut }))).toBe(`${cut}: truncated: expected 48 bytes of data for shape (4, 3) of '<f4', file has 43`);
    const long = tmp.file('long.npy', new Uint8Array([...full, 0, 0, 0, 0]));
    expect(await err(npySource({ x: long }))).toMatch(/trailing bytes: expected 48 bytes of data .* file has 52$/);
    const stub = tmp.file('stub.npy', full.subarray(0, 30));
    expect(await err(npySource({ x: stub }))).toMatch(/truncated: the header needs 128 bytes, file has 30/);
  });

  it('names unsupported dtypes and rejects Fortran order', async () => {
    for (const dtype of ['<i8', '>f4', '|u1', '<f2']) {
      const f = tmp.file(`dt${dtype.replace(/\W/g, '')}.npy`, npy(dtype, '(1, 2)', new Uint8Array(16)));
      expect(await err(npySource({ x: f }))).toContain(`dtype '${dtype}' is not supported; expected '<f4' (float32) or '<f8' (float64)`);
    }
    const f = tmp.file('fortran.npy', npy('<f4', '(2, 2)', f4([1, 2, 3, 4]), { fortran: 'True' }));
    expect(await err(npySource({ x: f }))).toMatch(/Fortran \(column-major\) order; save it in C order/);
  });

  it('wrong shapes: 1-D X, y of another length or width, a target column out of range', async () => {
    const x = tmp.file('sx.npy', npy('<f4', '(4, 3)', f4(X)));
    const x1 = tmp.file('s1.npy', npy('<f4', '(12,)', f4(X)));
    expect(await err(npySource({ x: x1 }))).toBe(`${x1}: expected a 2-D array (N, D), got shape (12,)`);
    const y3 = tmp.file('y3.npy', npy('<f4', '(3,)', f4([1, 2, 3])));
    expect(await err(npySource({ x, y: y3 }))).toBe(`${y3}: expected y of shape (4,) or (4, 1) to match X (4, 3), got (3,)`);
    const y42 = tmp.file('y42.npy', npy('<f4', '(4, 2)', f4(X.slice(0, 8))));
    expect(await err(npySource({ x, y: y42 }))).toMatch(/got \(4, 2\)$/);
    expect(await err(npySource({ x, targetColumn: 3 }))).toMatch(/the target column must be an index into 3 columns/);
    expect(await err(npySource({ x, y: y3.replace('y3', 'missing') }))).toMatch(/cannot read \(no such file\)/);
  });
});

describe('NpyWriter', () => {
  it('streams rows into a spec-conforming file that reads back, renamed into place only on close', async () => {
    const path = tmp.file('w.npy');
    const w = await NpyWriter.create(path, 3);
    await w.append(Float32Array.from(X.slice(0, 6)));
    expect(fs.existsSync(path)).toBe(false);
    await w.append(Float32Array.from(X.slice(6)));
    await w.close();
    const bytes = fs.readFileSync(path);
    expect([...bytes.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLen = bytes.readUInt16LE(8);
    expect((10 + headerLen) % 64).toBe(0);
    const dict = bytes.subarray(10, 10 + headerLen).toString('latin1');
    expect(dict).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(4, 3\), \} *\n$/);
    expect([...new Float32Array(bytes.buffer.slice(bytes.byteOffset + 10 + headerLen, bytes.byteOffset + bytes.length))]).toEqual(X);
    expect((await readNpyHeader(path)).shape).toEqual([4, 3]);
  });

  it('writes 1-D arrays as (N,) and leaves nothing behind on abort or a ragged append', async () => {
    const path = tmp.file('y1.npy');
    const w = await NpyWriter.create(path, null);
    await w.append(Float32Array.of(1, 2, 3));
    await w.close();
    expect((await readNpyHeader(path)).shape).toEqual([3]);
    const before = fs.readdirSync(tmp.dir).length;
    const a = await NpyWriter.create(tmp.file('gone.npy'), 2);
    await a.append(Float32Array.of(1, 2));
    await a.abort();
    const b = await NpyWriter.create(tmp.file('ragged.npy'), 2);
    await expect(b.append(Float32Array.of(1, 2, 3))).rejects.toThrow(/not a whole number of 2-column rows/);
    await b.abort();
    expect(fs.readdirSync(tmp.dir).length).toBe(before);
  });
});
