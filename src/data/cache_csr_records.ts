// Layout-3 cache blocks (format in cache_csr.ts) read without decodeBlock's arrays: a block's row offsets alone (how
// many entries rows hold, to size row records), its targets alone (a pass that finds the classes), and the whole
// block decoded straight into row records in a backend's memory (core/dataset.ts RowRecords) — decodeBlock's checks
// (the first problem in row order is reported) and its values bit for bit (f32 copied as bits, f16 through the same
// table, indicators as stored).
// Pure functions, no I/O.
import { INDEX_MASK } from '../core/csr';
import type { RowEntries, RowRecords } from '../core/dataset';
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

/** Byte offset of a block's row offsets (after its n·(d + 1) dense values). */
export const ptrAt = (n: number, d: number): number => n * (d + 1) * 4;

/**
 * Checks a block's row offsets (n + 1 u32, read alone) against its size in bytes and adds rows [from, to)'s entries
 * to `acc` (the block's first row is row `first` of the file).
 */
export function addEntries(file: string, ptr: Uint32Array, n: number, d: number, bytes: number, first: number, info: CsrInfo, from: number, to: number, acc: RowEntries): void {
  if (ptr[0] !== 0 || blockBytes(n, d, ptr[n], info.values) !== bytes) corrupt(file, first, 'a block whose row offsets do not fit its size');
  let most = acc.most;
  for (let r = 0; r < n; r++) {
    const c = ptr[r + 1] - ptr[r];
    if (c < 0) corrupt(file, first + r, 'row offsets decrease');
    if (r >= from && r < to && c > most) most = c;
  }
  acc.most = most;
  acc.nnz += ptr[to] - ptr[from];
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

/**
 * Checks a block of n rows (bytes read at a 4-byte aligned offset of their buffer) as decodeBlock does — its size,
 * then each row's offsets, entries and dense values — and writes its rows [from, to) into records `into` from record
 * `row` on. `first`: the block's first row in the file. Its one pass reads each value once (the rows outside [from, to)
 * only to check them).
 */
export function decodeRecords(file: string, bytes: Uint8Array, n: number, d: number, first: number, info: CsrInfo, from: number, to: number, into: RowRecords, row: number): void {
  if (bytes.byteOffset % 4 !== 0) throw new Error('decodeRecords: a block read at an unaligned offset');
  const buf = bytes.buffer;
  const off = bytes.byteOffset;
  const at = off + ptrAt(n, d);
  const ptr = new Uint32Array(buf, at, n + 1);
  const e = ptr[n];
  if (ptr[0] !== 0 || blockBytes(n, d, e, info.values) !== bytes.length) corrupt(file, first, 'a block whose row offsets do not fit its size');
  const idx = new Uint32Array(buf, at + (n + 1) * 4, e);
  const vAt = at + (n + 1 + e) * 4;
  const block: Block = {
    m: new Uint32Array(buf, off, n * (d + 1)), ptr, idx,
    f32v: info.values === 'f32' ? new Uint32Array(buf, vAt, e) : null,
    f16v: info.values === 'f16' ? new Uint16Array(buf, vAt, e) : null,
  };
  const problem = blockRows(block, d, info.width, 0, n, from, to, into, row - from);
  if (problem) corrupt(file, first + problem.row, problem.why);
}

/** A block's parts as views: dense values and offsets, indices, values as f32 or f16 bits (neither: indicators). */
interface Block {
  m: Uint32Array;
  ptr: Uint32Array;
  idx: Uint32Array;
  f32v: Uint32Array | null;
  f16v: Uint16Array | null;
}

/**
 * Rows [lo, hi) of a block, in order: each row checked (its offsets, entries, dense values) and, inside [from, to),
 * written to record shift + r. Returns the first row's problem (nothing written after it), or null.
 */
function blockRows(b: Block, d: number, width: number, lo: number, hi: number, from: number, to: number, into: RowRecords, shift: number): { row: number; why: string } | null {
  const { m, ptr, idx, f32v, f16v } = b;
  const { u32, f32, stride, yAt, nAt, S } = into;
  const table = f16v ? f16Table() : null;
  const mask = f32v || f16v ? 0xffffffff : INDEX_MASK;
  for (let r = lo; r < hi; r++) {
    const e0 = ptr[r];
    const c = ptr[r + 1] - e0;
    if (c < 0) return { row: r, why: 'row offsets decrease' };
    const k = f32v ? badF32(idx, f32v, e0, e0 + c, width) : f16v ? badF16(idx, f16v, e0, e0 + c, width) : badIndicator(idx, e0, e0 + c, width);
    if (k >= 0) return { row: r, why: `a sparse entry (index ${(idx[k] & mask) >>> 0}) outside the block's width ${width} or not finite` };
    let dense = 0;
    for (let j = 0, i = r * (d + 1); j <= d; j++) dense |= (m[i + j] & F32_EXP) === F32_EXP ? 1 : 0;
    if (dense) return { row: r, why: 'a value that is not finite' };
    if (r < from || r >= to) continue;
    if (c > S) throw new Error(`a row of ${c} entries does not fit a record of ${S}`);
    const o = into.at + (shift + r) * stride;
    for (let j = 0, i = r * (d + 1); j < d; j++) u32[o + j] = m[i + j];
    u32[o + yAt] = m[r * (d + 1) + d];
    u32[o + nAt] = c;
    const ix = o + nAt + 1;
    for (let t = 0; t < c; t++) u32[ix + t] = idx[e0 + t];
    if (f32v) for (let t = 0; t < c; t++) u32[ix + S + t] = f32v[e0 + t];
    if (table) for (let t = 0; t < c; t++) f32[ix + S + t] = table[f16v![e0 + t]];
  }
  return null;
}

/** The first entry of [k0, k1) whose index is outside the width or whose value is not finite (−1: none), by kind of value. */
function badIndicator(idx: Uint32Array, k0: number, k1: number, width: number): number {
  for (let k = k0; k < k1; k++) if ((idx[k] & INDEX_MASK) >= width) return k;
  return -1;
}

function badF32(idx: Uint32Array, v: Uint32Array, k0: number, k1: number, width: number): number {
  for (let k = k0; k < k1; k++) if (idx[k] >= width || (v[k] & F32_EXP) === F32_EXP) return k;
  return -1;
}

function badF16(idx: Uint32Array, v: Uint16Array, k0: number, k1: number, width: number): number {
  for (let k = k0; k < k1; k++) if (idx[k] >= width || (v[k] & F16_EXP) === F16_EXP) return k;
  return -1;
}
