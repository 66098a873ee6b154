// Layout-3 cache blocks (format in cache_csr.ts) read without decodeBlock's arrays: a block's row offsets alone (how
// many entries rows hold, to size row records or a chunk), its targets alone (a pass that finds the classes), and the
// whole block checked and decoded straight into row records in a backend's memory (core/dataset.ts RowRecords) or
// into one chunk's arrays for many blocks (the other backends' rows) — decodeBlock's checks, in its order, and its
// values bit for bit (f32 copied as bits, f16 through the same table, indicators as stored).
// Pure functions, no I/O.
import { INDEX_MASK } from '../core/csr';
import type { HostChunk, RowEntries, RowRecords } from '../core/dataset';
import { f16Table } from '../core/f16';
import { blockBytes, type CsrInfo } from './cache_csr';
import { DataError } from './csv';

/** f32 bits with this exponent are ±∞ or NaN; f16 bits likewise with F16_EXP. */
const F32_EXP = 0x7f800000;
const F16_EXP = 0x7c00;

/** The error decodeBlock throws for a corrupt block, at row `row` of the file (from 0). */
function corrupt(file: string, row: number, why: string): never {
  throw new DataError(file, row + 1, null, `${why}: the file changed after it was written (corrupt); convert the data again`, 'row');
}

/** How a block's values are stored, as a backend's decoder names them (core/dataset.ts RecordDecoder). */
export const VALUE_KINDS = { indicator: 0, f32: 1, f16: 2 } as const satisfies Record<CsrInfo['values'], number>;

/** Whether a block of n rows (bytes 4-byte aligned) starts its offsets at 0 and has the size its entries give it. */
export function fitsBlock(bytes: Uint8Array, n: number, d: number, info: CsrInfo): boolean {
  if (ptrAt(n, d) + (n + 1) * 4 > bytes.length) return false;
  const ptr = new Uint32Array(bytes.buffer, bytes.byteOffset + ptrAt(n, d), n + 1);
  return ptr[0] === 0 && blockBytes(n, d, ptr[n], info.values) === bytes.length;
}

/** Byte offset of a block's row offsets (after its n·(d + 1) dense values). */
export const ptrAt = (n: number, d: number): number => n * (d + 1) * 4;

/**
 * Checks a block's row offsets (n + 1 u32, read alone) against its size in bytes and adds rows [from, to)'s entries
 * (those whose select[r − from] is not 0 where `select` is given) to `acc` (the block's first row is row `first` of
 * the file).
 */
export function addEntries(
  file: string, ptr: Uint32Array, n: number, d: number, bytes: number, first: number, info: CsrInfo, from: number, to: number, acc: RowEntries, select?: Uint8Array,
): void {
  if (ptr[0] !== 0 || blockBytes(n, d, ptr[n], info.values) !== bytes) corrupt(file, first, 'a block whose row offsets do not fit its size');
  let most = acc.most;
  let nnz = 0;
  for (let r = 0; r < n; r++) {
    const c = ptr[r + 1] - ptr[r];
    if (c < 0) corrupt(file, first + r, 'row offsets decrease');
    if (r >= from && r < to && (!select || select[r - from] !== 0)) {
      if (c > most) most = c;
      nnz += c;
    }
  }
  acc.most = most;
  acc.nnz += nnz;
}

/** The targets of a block's dense part (n·(d + 1) f32, read alone), checked finite as decodeBlock checks them. */
export function blockTargets(file: string, dense: Float32Array, n: number, d: number, first: number): Float32Array {
  const y = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const v = dense[r * (d + 1) + d];
    if (!Number.isFinite(v)) corrupt(file, first + r, 'a value that is not finite');
    y[r] = v;
  }
  return y;
}

/** A block's parts once decodeBlock's checks passed: views of its bytes (the dense values and the f32 values as bits). */
export interface CheckedBlock {
  n: number;
  m: Uint32Array;
  ptr: Uint32Array;
  idx: Uint32Array;
  f32v: Uint32Array | null;
  f16v: Uint16Array | null;
}

/**
 * Checks a block of n rows (bytes read at a 4-byte aligned offset of their buffer) as decodeBlock does, in its order;
 * `first`: the block's first row in the file. Returns views of its parts.
 */
export function checkBlock(file: string, bytes: Uint8Array, n: number, d: number, first: number, info: CsrInfo): CheckedBlock {
  if (bytes.byteOffset % 4 !== 0) throw new Error('checkBlock: a block read at an unaligned offset');
  const buf = bytes.buffer;
  const off = bytes.byteOffset;
  if (ptrAt(n, d) + (n + 1) * 4 > bytes.length) corrupt(file, first, 'a block whose row offsets do not fit its size');
  const at = off + ptrAt(n, d);
  const ptr = new Uint32Array(buf, at, n + 1);
  const e = ptr[n];
  if (ptr[0] !== 0 || blockBytes(n, d, e, info.values) !== bytes.length) corrupt(file, first, 'a block whose row offsets do not fit its size');
  const idx = new Uint32Array(buf, at + (n + 1) * 4, e);
  const vAt = at + (n + 1 + e) * 4;
  const f32v = info.values === 'f32' ? new Uint32Array(buf, vAt, e) : null;
  const f16v = info.values === 'f16' ? new Uint16Array(buf, vAt, e) : null;
  checkEntries(file, ptr, idx, f32v, f16v, n, first, info.width);
  const m = new Uint32Array(buf, off, n * (d + 1));
  for (let i = 0; i < m.length; i++) if ((m[i] & F32_EXP) === F32_EXP) corrupt(file, first + Math.floor(i / (d + 1)), 'a value that is not finite');
  return { n, m, ptr, idx, f32v, f16v };
}

/**
 * Checks a block of n rows (bytes read at a 4-byte aligned offset of their buffer) as decodeBlock does and writes
 * its rows [from, to) — those whose select[r − from] is not 0 where `select` is given — one after another into
 * records `into` from record `row` on. `first`: the block's first row in the file.
 */
export function decodeRecords(
  file: string, bytes: Uint8Array, n: number, d: number, first: number, info: CsrInfo, from: number, to: number, into: RowRecords, row: number, select?: Uint8Array,
): void {
  writeRecords(checkBlock(file, bytes, n, d, first, info), d, from, to, into, row, select);
}

/**
 * Rows [from, to) of a checked block into a chunk's arrays from its row `row` on — x (rows·d), y and the sparse
 * block's ptr (rows + 1; ptr[row] already says where row `row`'s entries start), idx and val — decodeBlock's values
 * bit for bit (f32 copied, f16 through the same table, indicators as stored).
 */
export function writeRows(b: CheckedBlock, d: number, from: number, to: number, into: HostChunk, row: number): void {
  const { x, y } = into;
  const s = into.sparse!;
  const m = new Float32Array(b.m.buffer, b.m.byteOffset, b.m.length);
  for (let r = from, o = row * d; r < to; r++, o += d) {
    const i = r * (d + 1);
    for (let j = 0; j < d; j++) x[o + j] = m[i + j];
    y[row + r - from] = m[i + d];
  }
  const base = s.ptr[row] - b.ptr[from];
  for (let r = from + 1, o = row + 1; r <= to; r++, o++) s.ptr[o] = base + b.ptr[r];
  const [e0, e1] = [b.ptr[from], b.ptr[to]];
  s.idx.set(b.idx.subarray(e0, e1), s.ptr[row]);
  if (b.f32v) s.val!.set(new Float32Array(b.f32v.buffer, b.f32v.byteOffset + e0 * 4, e1 - e0), s.ptr[row]);
  if (b.f16v) {
    const table = f16Table();
    const v = s.val!;
    for (let k = e0, o = s.ptr[row]; k < e1; k++, o++) v[o] = table[b.f16v[k]];
  }
}

/** decodeBlock's checks of the sparse part, in its order: row by row, its offsets, then its entries' indices and values. */
function checkEntries(file: string, ptr: Uint32Array, idx: Uint32Array, f32v: Uint32Array | null, f16v: Uint16Array | null, n: number, first: number, width: number): void {
  let bad = n; // the first row whose offsets decrease
  for (let r = 0; r < n; r++) {
    if (ptr[r + 1] < ptr[r]) {
      bad = r;
      break;
    }
  }
  const end = Math.min(ptr[bad], idx.length);
  const mask = f32v || f16v ? 0xffffffff : INDEX_MASK;
  let k = 0;
  if (f32v) while (k < end && (idx[k] >>> 0) < width && (f32v[k] & F32_EXP) !== F32_EXP) k++;
  else if (f16v) while (k < end && (idx[k] >>> 0) < width && (f16v[k] & F16_EXP) !== F16_EXP) k++;
  else while (k < end && ((idx[k] & mask) >>> 0) < width) k++;
  if (k < end) {
    let r = 0;
    while (ptr[r + 1] <= k) r++;
    corrupt(file, first + r, `a sparse entry (index ${(idx[k] & mask) >>> 0}) outside the block's width ${width} or not finite`);
  }
  if (bad < n) corrupt(file, first + bad, 'row offsets decrease');
}

/** Rows [from, to) of a checked block as records from record `row` on: x and y as bits, the count, indices, values. */
function writeRecords(b: CheckedBlock, d: number, from: number, to: number, into: RowRecords, row: number, select?: Uint8Array): void {
  const { m, ptr, idx, f32v, f16v } = b;
  const { u32, f32, stride, yAt, nAt, S } = into;
  const table = f16v ? f16Table() : null;
  for (let r = from, o = into.at + row * stride; r < to; r++) {
    if (select && select[r - from] === 0) continue;
    for (let j = 0, i = r * (d + 1); j < d; j++) u32[o + j] = m[i + j];
    u32[o + yAt] = m[r * (d + 1) + d];
    const e0 = ptr[r];
    const c = ptr[r + 1] - e0;
    if (c > S) throw new Error(`a row of ${c} entries does not fit a record of ${S}`);
    u32[o + nAt] = c;
    const ix = o + nAt + 1;
    for (let t = 0; t < c; t++) u32[ix + t] = idx[e0 + t];
    if (f32v) for (let t = 0; t < c; t++) u32[ix + S + t] = f32v[e0 + t];
    if (table) for (let t = 0; t < c; t++) f32[ix + S + t] = table[f16v![e0 + t]];
    o += stride;
  }
}
