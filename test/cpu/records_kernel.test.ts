// The fast CPU backend's kernel that decodes a .dh cache block into row records (src/cpu/simd/records.ts) against its
// JavaScript twin (src/data/cache_csr_records.ts decodeRecords): every finite half bit pattern, f32 values and
// indicators at awkward row lengths (0, 1, 3, 4, 5, 63), the same words, every row or a holdout's selection of rows
// [from, to); a damaged block refused, nothing written;
// and the records' column statistics (recordStats) against ColumnSet.addRows, bit for bit.
import { afterAll, describe, expect, it } from 'vitest';
import { SimdCpuBackend } from '../../src/cpu/simd_backend';
import type { RowRecords } from '../../src/core/dataset';
import { blockBytes, type CsrInfo, type CsrValues } from '../../src/data/cache_csr';
import { decodeRecords, VALUE_KINDS } from '../../src/data/cache_csr_records';
import { Rng } from '../../src/core/rng';
import { ColumnSet } from '../../src/core/stats';

const backend = new SimdCpuBackend({ threads: 1 });
afterAll(() => backend.dispose());

/** A block of rows with these entry counts: dense values (d a row, then y), offsets, indices, values as `values` stores them. */
function block(counts: number[], d: number, values: CsrValues, width: number, value: (k: number) => number): Uint8Array {
  const n = counts.length;
  const e = counts.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(blockBytes(n, d, e, values));
  const rng = new Rng(11);
  new Float32Array(out.buffer, 0, n * (d + 1)).forEach((_, i, a) => (a[i] = rng.float() * 2 - 1));
  const ptr = new Uint32Array(out.buffer, n * (d + 1) * 4, n + 1);
  counts.forEach((c, r) => (ptr[r + 1] = ptr[r] + c));
  const idx = new Uint32Array(out.buffer, (n * (d + 1) + n + 1) * 4, e);
  idx.forEach((_, k) => (idx[k] = (Math.floor(rng.float() * width) | (values === 'indicator' && rng.float() < 0.5 ? 0x80000000 : 0)) >>> 0));
  const vAt = (n * (d + 1) + n + 1 + e) * 4;
  if (values === 'f32') new Float32Array(out.buffer, vAt, e).forEach((_, k, a) => (a[k] = value(k)));
  if (values === 'f16') new Uint16Array(out.buffer, vAt, e).forEach((_, k, a) => (a[k] = value(k)));
  return out;
}

/**
 * Decodes a block by the kernel (in the backend's memory) and by the twin (in a plain array), rows [from, to) or those
 * `select` takes; returns both records' words.
 */
function both(
  bytes: Uint8Array, n: number, d: number, values: CsrValues, width: number, S: number, part?: { from: number; to: number; select: Uint8Array },
): { kernel: Uint32Array; twin: Uint32Array; status: number } {
  const [from, to] = part ? [part.from, part.to] : [0, n];
  const info: CsrInfo = { width, values, blockRows: n, encoding: { format: 'columns', categorical: [], crosses: [], hash: null, width }, nnz: 0, indexAt: 0 };
  const valued = values !== 'indicator';
  const rb = Math.ceil(d / 4) * 16;
  const stride = Math.ceil((rb + 8 + 4 * S * (valued ? 2 : 1)) / 16) * 16;
  const { arena } = backend;
  const blk = arena.alloc(bytes.length);
  const out = arena.alloc(n * stride);
  const u8 = new Uint8Array(arena.views.f32.buffer);
  u8.set(bytes, blk);
  u8.fill(0xee, out, out + n * stride); // poisoned: words the kernel leaves must be the twin's leftovers too
  const sel = part ? arena.alloc(part.select.length) : 0;
  if (part) new Uint8Array(arena.views.f32.buffer).set(part.select, sel);
  try {
    const status = arena.kernels.csrRecords(blk, n, d, VALUE_KINDS[values], width, from, to, sel, out, stride, rb, rb + 4, S);
    const kernel = new Uint32Array(arena.views.f32.buffer, out, (n * stride) / 4).slice();
    const plain = new Uint32Array((n * stride) / 4).fill(0xeeeeeeee);
    const into: RowRecords = { rows: n, f32: new Float32Array(plain.buffer), u32: plain, at: 0, stride: stride / 4, yAt: rb / 4, nAt: rb / 4 + 1, S, valued };
    decodeRecords('block.dh', bytes, n, d, 0, info, from, to, into, 0, part?.select);
    return { kernel, twin: plain, status };
  } finally {
    arena.release(blk);
    arena.release(out);
    if (sel) arena.release(sel);
  }
}

describe('csrRecords (the kernel) against decodeRecords (its twin)', () => {
  it('every finite half bit pattern decodes to the twin\'s f32 (normals, subnormals, ±0)', () => {
    const halves = Array.from({ length: 65536 }, (_, h) => h).filter((h) => (h & 0x7c00) !== 0x7c00);
    const counts = new Array<number>(halves.length / 32).fill(32);
    const { kernel, twin, status } = both(block(counts, 1, 'f16', 10, (k) => halves[k]), counts.length, 1, 'f16', 10, 32);
    expect(status).toBe(0);
    expect(kernel).toEqual(twin);
  });

  it.each([['f32', 'f32'], ['indicators', 'indicator']] as const)('%s at awkward row lengths and dense widths', (_, values) => {
    for (const d of [0, 1, 3, 4, 5, 13]) {
      const counts = [0, 1, 3, 4, 5, 63, 2, 7, 8, 9];
      const { kernel, twin, status } = both(block(counts, d, values, 1000, (k) => Math.sin(k) * 1e3), counts.length, d, values, 1000, 63);
      expect(status, `d = ${d}`).toBe(0);
      expect(kernel, `d = ${d}`).toEqual(twin);
    }
  });

  it.each([['f32', 'f32'], ['f16', 'f16'], ['indicators', 'indicator']] as const)('%s: a selection of rows [from, to), written one after another', (_, values) => {
    const counts = [0, 1, 3, 4, 5, 63, 2, 7, 8, 9, 6, 1];
    const bytes = block(counts, 3, values, 1000, (k) => (values === 'f16' ? (k * 977) & 0x3bff : Math.sin(k) * 1e3));
    const rng = new Rng(5);
    for (const [from, to] of [[0, 12], [2, 9], [5, 6], [4, 4]]) {
      const select = Uint8Array.from({ length: to - from }, () => (rng.float() < 0.6 ? 1 : 0));
      const { kernel, twin, status } = both(bytes, counts.length, 3, values, 1000, 63, { from, to, select });
      expect(status, `${from}…${to}`).toBe(0);
      expect(kernel, `${from}…${to}`).toEqual(twin);
      // The selected rows' counts, in order, at each record's count word; the rest poisoned.
      const stride = kernel.length / counts.length;
      const want = counts.slice(from, to).filter((_, i) => select[i]);
      expect(Array.from({ length: want.length }, (_, r) => kernel[r * stride + 5])).toEqual(want);
      if (want.length < counts.length) expect(kernel[want.length * stride + 5]).toBe(0xeeeeeeee);
    }
  });

  it('a damaged block is refused (1, and the twin words why), a row longer than S stops the writes (2)', () => {
    const good = block([3, 4, 5], 2, 'f32', 50, (k) => k);
    const [ptrAt, idxAt, valAt] = [3 * 3 * 4, 3 * 3 * 4 + 4 * 4, 3 * 3 * 4 + 4 * 4 + 12 * 4];
    const { arena } = backend;
    const blk = arena.alloc(good.length);
    const out = arena.alloc(3 * 64);
    const run = (at: number | null, word: number, S = 8) => {
      new Uint8Array(arena.views.f32.buffer).set(good, blk);
      if (at !== null) new DataView(arena.views.f32.buffer).setUint32(blk + at, word, true);
      return arena.kernels.csrRecords(blk, 3, 2, 1, 50, 0, 3, 0, out, 64, 16, 20, S);
    };
    try {
      expect(run(null, 0)).toBe(0);
      expect(run(idxAt + 4, 50)).toBe(1); // an index at the width
      expect(run(valAt + 8, 0x7f800000)).toBe(1); // a value: +∞
      expect(run(4 * 4, 0x7fc00000)).toBe(1); // a dense value: NaN
      expect(run(ptrAt + 8, 1)).toBe(1); // offsets 0, 3, 1: decreasing
      new Uint8Array(arena.views.f32.buffer).fill(0, out, out + 3 * 64);
      expect(run(null, 0, 3)).toBe(2); // row 1 holds 4 entries, S = 3
      const counts = new Uint32Array(arena.views.f32.buffer, out, 48);
      expect([counts[5], counts[16 + 5]]).toEqual([3, 0]); // row 0 written, row 1 not
    } finally {
      arena.release(out);
      arena.release(blk);
    }
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(idxAt + 4, 50, true);
    expect(() => both(bad, 3, 2, 'f32', 50, 8)).toThrow(/block\.dh: row 1: a sparse entry \(index 50\) outside the block's width 50/);
  });
});

describe('the arena\'s blocks', () => {
  it('reused bytes come back zeroed, unless asked for as they are (a read buffer the reads overwrite whole)', () => {
    const { arena } = backend;
    const a = arena.alloc(4096);
    new Uint8Array(arena.views.f32.buffer, a, 4096).fill(7);
    arena.release(a);
    const b = arena.alloc(4096);
    expect(b).toBe(a);
    expect(new Uint8Array(arena.views.f32.buffer, b, 4096).every((v) => v === 0)).toBe(true);
    new Uint8Array(arena.views.f32.buffer, b, 4096).fill(7);
    arena.release(b);
    const c = arena.alloc(4096, false);
    expect(c).toBe(a);
    expect(new Uint8Array(arena.views.f32.buffer, c, 4096).every((v) => v === 7)).toBe(true);
    arena.release(c);
  });
});

describe('recordStats (the kernel) against ColumnSet.addRows (its twin)', () => {
  it('the columns\' statistics over records, bit for bit, at awkward row counts and scales', () => {
    const { arena } = backend;
    const rng = new Rng(21);
    for (const rows of [1, 3, 63, 64, 65, 255, 256, 257, 1000]) {
      const stride = 44; // words: a record of 176 bytes
      const offsets = [0, 1, 2, 12, 16]; // x's columns, then y after the padding
      const at = arena.alloc(rows * stride * 4);
      const f32 = arena.views.f32;
      for (let r = 0; r < rows; r++) {
        for (const [j, o] of offsets.entries()) f32[(at >>> 2) + r * stride + o] = (rng.float() - 0.5) * [1e-3, 1, 1e6, 3, 1][j] + [0, 5, -1e9, 0, 0.5][j];
      }
      const tmp = arena.alloc(offsets.length * 44 + 8);
      const out = tmp + Math.ceil(offsets.length / 2) * 8;
      arena.views.u32.set(offsets.map((o) => o * 4), tmp >>> 2);
      // In pieces of 100 rows, as the store calls it in pieces (the sums run on across them).
      const kn = arena.kernels;
      const cols = offsets.length;
      kn.recordStats(0, 0, 0, 0, tmp, cols, out);
      for (let r = 0; r < rows; r += 100) kn.recordStats(1, at + r * stride * 4, Math.min(100, rows - r), stride * 4, tmp, cols, out);
      kn.recordStats(2, 0, rows, 0, tmp, cols, out);
      for (let r = 0; r < rows; r += 100) kn.recordStats(3, at + r * stride * 4, Math.min(100, rows - r), stride * 4, tmp, cols, out);
      kn.recordStats(4, 0, rows, 0, tmp, cols, out);
      const got = arena.views.f64.slice(out >>> 3, (out >>> 3) + offsets.length * 4);
      const want = new ColumnSet(offsets.length);
      want.addRows(arena.views.f32, rows, stride, at >>> 2, offsets);
      expect([...got], `${rows} rows`).toEqual(want.cols.flatMap((c) => [c.mean, c.m2, c.min, c.max]));
      arena.release(tmp);
      arena.release(at);
    }
  });
});
