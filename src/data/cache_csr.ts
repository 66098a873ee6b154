// Layout 3 of the ".dh" cache: rows with a sparse block, stored encoded (one-hot levels and hash buckets already
// computed) so later epochs neither parse nor hash. After the header (cache_format.ts; its names JSON carries "sparse",
// its tail the entry count and where the block index is) come blocks of up to `blockRows` rows, each:
//
//   n·(D + 1)·4 bytes   the dense rows: D float32 features then the target (as layout 1)
//   (n + 1)·4           u32 row offsets into the block's entries, from 0
//   e·4                 u32 indices (indicator values: the sign in the top bit, core/csr.ts)
//   e·4 | e·2 | 0       the values: float32, float16 (then padding to 4 bytes), or none for ±1 indicators
//   padding to 8 bytes
//
// then the block index: (blocks + 1) u64 byte offsets (the last is the index's own offset). Pure functions, no I/O.
import { INDEX_MASK, type Csr } from '../core/csr';
import type { HostChunk } from '../core/dataset';
import { f16Bits, f16Table } from '../core/f16';
import type { Encoding } from '../core/encoding';
import { DataError } from './csv';

/** How sparse values are stored. */
export type CsrValues = 'f32' | 'f16' | 'indicator';

/** The sparse block of a layout-3 cache. */
export interface CsrInfo {
  width: number;
  values: CsrValues;
  blockRows: number;
  encoding: Encoding;
  /** Entries in all (the header's tail). */
  nnz: number;
  /** Byte offset of the block index (the header's tail). */
  indexAt: number;
}

/** Rows per block by default: about 64k (a few MB a block). */
export const CSR_BLOCK_ROWS = 65536;

/** Checks the sparse description read from a header; anything inconsistent is a DataError saying the cache is corrupt. */
export function checkCsrInfo(file: string, o: unknown, nnz: number, indexAt: number, rows: number, dataOffset: number, fileSize: number): CsrInfo {
  const corrupt = (why: string): never => {
    throw new DataError(file, null, null, `corrupt cache header (${why}); convert the data again`);
  };
  const s = o as Partial<CsrInfo> | null;
  if (typeof s !== 'object' || s === null) return corrupt('layout 3 without a sparse description');
  if (!(Number.isInteger(s.width) && s.width! >= 1 && s.width! < 2 ** 31)) corrupt('bad sparse width');
  if (s.values !== 'f32' && s.values !== 'f16' && s.values !== 'indicator') corrupt('bad sparse value type');
  if (!(Number.isInteger(s.blockRows) && s.blockRows! >= 1)) corrupt('bad block size');
  if (typeof s.encoding !== 'object' || s.encoding === null || s.encoding.width !== s.width) corrupt('bad sparse encoding');
  const blocks = Math.ceil(rows / s.blockRows!);
  const size = indexAt + (blocks + 1) * 8;
  if (!(indexAt >= dataOffset) || size !== fileSize) {
    throw new DataError(file, null, null, `${fileSize < size ? 'truncated' : 'trailing bytes'}: expected ${size} bytes for ${rows} rows in ${blocks} blocks, file has ${fileSize}`);
  }
  return { width: s.width!, values: s.values!, blockRows: s.blockRows!, encoding: s.encoding!, nnz, indexAt };
}

/** Bytes of a block of n rows of d dense features and e entries. */
export function blockBytes(n: number, d: number, e: number, values: CsrValues): number {
  const v = values === 'f32' ? 4 * e : values === 'f16' ? Math.ceil(e / 2) * 4 : 0;
  return Math.ceil(((n * (d + 1) + n + 1 + e) * 4 + v) / 8) * 8;
}

/** Encodes rows (dense x, y, their CSR) as one block. */
export function encodeBlock(c: HostChunk, d: number, values: CsrValues): Uint8Array {
  const n = c.rows;
  const s = c.sparse!;
  const base = s.ptr[0];
  const e = s.ptr[n] - base;
  const out = new Uint8Array(blockBytes(n, d, e, values));
  const f = new Float32Array(out.buffer, 0, n * (d + 1));
  for (let r = 0, o = 0; r < n; r++) {
    f.set(c.x.subarray(r * d, (r + 1) * d), o);
    o += d;
    f[o++] = c.y[r];
  }
  const at = n * (d + 1) * 4;
  const ptr = new Uint32Array(out.buffer, at, n + 1);
  for (let r = 0; r <= n; r++) ptr[r] = s.ptr[r] - base;
  new Uint32Array(out.buffer, at + (n + 1) * 4, e).set(s.idx.subarray(base, base + e));
  const vAt = at + (n + 1 + e) * 4;
  if (values === 'f32') new Float32Array(out.buffer, vAt, e).set(s.val!.subarray(base, base + e));
  if (values === 'f16') {
    const h = new Uint16Array(out.buffer, vAt, e);
    for (let i = 0; i < e; i++) h[i] = f16Bits(s.val![base + i]);
  }
  return out;
}

/** Decodes a block of n rows (bytes copied out of a read), checking its offsets, indices and values. */
export function decodeBlock(file: string, bytes: Uint8Array, n: number, d: number, first: number, info: CsrInfo): HostChunk {
  const buf = bytes.byteOffset % 8 === 0 ? bytes.buffer : bytes.slice().buffer;
  const off = bytes.byteOffset % 8 === 0 ? bytes.byteOffset : 0;
  const corrupt = (row: number, why: string): never => {
    throw new DataError(file, first + row + 1, null, `${why}: the file changed after it was written (corrupt); convert the data again`, 'row');
  };
  const m = new Float32Array(buf, off, n * (d + 1));
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let r = 0, i = 0; r < n; r++) {
    for (let j = 0; j < d; j++) x[r * d + j] = m[i++];
    y[r] = m[i++];
  }
  const at = off + n * (d + 1) * 4;
  const ptr = new Uint32Array(buf, at, n + 1).slice();
  const e = ptr[n];
  if (ptr[0] !== 0 || blockBytes(n, d, e, info.values) !== bytes.length) corrupt(0, 'a block whose row offsets do not fit its size');
  const idx = new Uint32Array(buf, at + (n + 1) * 4, e).slice();
  const vAt = at + (n + 1 + e) * 4;
  let val: Float32Array | null = null;
  if (info.values === 'f32') val = new Float32Array(buf, vAt, e).slice();
  if (info.values === 'f16') {
    const t = f16Table();
    const h = new Uint16Array(buf, vAt, e);
    val = Float32Array.from(h, (b) => t[b]);
  }
  for (let r = 0; r < n; r++) {
    if (ptr[r + 1] < ptr[r]) corrupt(r, 'row offsets decrease');
    for (let k = ptr[r]; k < ptr[r + 1]; k++) {
      const j = val ? idx[k] : idx[k] & INDEX_MASK;
      if (j >= info.width || (val && !Number.isFinite(val[k]))) corrupt(r, `a sparse entry (index ${j}) outside the block's width ${info.width} or not finite`);
    }
  }
  for (let i = 0; i < m.length; i++) if (!Number.isFinite(m[i])) corrupt(Math.floor(i / (d + 1)), 'a value that is not finite');
  const sparse: Csr = { ptr, idx, val };
  return { rows: n, x, y, firstRow: first, sparse };
}
