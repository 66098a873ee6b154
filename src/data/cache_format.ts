// The ".dh" binary cache format, version 1 (all numbers little-endian):
//
//   offset  bytes        field
//   0       8            magic "DOWNHILL"
//   8       4            u32 format version (1)
//   12      4            u32 H: byte offset of the data (a multiple of 64)
//   16      8            u64 N: rows
//   24      4            u32 D: features
//   28      4            u32 layout (1: row-major float32, each row = D features then the target y;
//                        2: row-major, each row = D float16 features then the target y as float32: cache_f16.ts;
//                        3: blocks of dense rows and CSR sparse rows, a block index at the end: cache_csr.ts)
//   32      4            u32 L: bytes of the names JSON
//   36      4            u32 CRC-32 of bytes 0..H with this field as 0 (0 in files written before it: not checked)
//   40      40·(D + 1)   statistics per column, features then y: f64 count, mean, M2, min, max
//   …       L            UTF-8 JSON {"features": [...], "target": "..."}
//   …                    zero padding up to H
//   H       N·(D + 1)·4  the rows (layout 2: N·(2D + 4))
//
// Statistics are those of the stored float32 values (variance = M2 / count). A header that fails its checksum or
// any consistency check (sizes, names, statistics) is a DataError saying the file is corrupt. Pure functions, no I/O.
import { DataError } from './csv';
import type { ColumnStats } from '../core/stats';
import type { DType } from '../core/f16';
import { cacheRowBytes } from './cache_f16';
import { crc32 } from '../core/checksum';
import { checkCsrInfo, type CsrInfo } from './cache_csr';

/** Magic bytes at offset 0. */
export const CACHE_MAGIC = 'DOWNHILL';
/** The format version this code reads and writes. */
export const CACHE_VERSION = 1;
/** Layout code 1: row-major float32, each row the D features then y. */
export const LAYOUT_ROW_MAJOR_F32 = 1;
/** Layout code 2: row-major, D float16 features then y as float32 (`--dtype f16`). */
export const LAYOUT_ROW_MAJOR_F16 = 2;
/** Layout code 3: dense rows and sparse CSR rows in blocks (cache_csr.ts); the names JSON carries "sparse". */
export const LAYOUT_CSR = 3;

/** Bytes before the statistics. */
export const CACHE_FIXED_BYTES = 40;

/** Everything a cache header holds. */
export interface CacheHeader {
  rows: number;
  features: string[];
  target: string;
  /** Per-feature statistics, in feature order. */
  featureStats: ColumnStats[];
  targetStats: ColumnStats;
  /** Byte offset of the first row. */
  dataOffset: number;
  /** How the features are stored (layout 1: f32, the default; layout 2: f16). */
  dtype?: DType;
  /** Layout 3: the sparse block's description (cache_csr.ts), stored in the names JSON. */
  sparse?: CsrInfo;
}

/** Bytes of the header for these names (the data offset), known before any row is written. */
export function cacheHeaderBytes(features: readonly string[], target: string, sparse?: CsrInfo): number {
  const names = namesJson(features, target, sparse);
  return Math.ceil((CACHE_FIXED_BYTES + 40 * (features.length + 1) + names.length + (sparse ? CSR_TAIL_BYTES : 0)) / 64) * 64;
}

/** The names JSON's bytes (layout 3: with the sparse description; its entry count and index offset are in the tail). */
function namesJson(features: readonly string[], target: string, sparse?: CsrInfo): Uint8Array {
  const s = sparse && { width: sparse.width, values: sparse.values, blockRows: sparse.blockRows, encoding: sparse.encoding };
  return new TextEncoder().encode(JSON.stringify({ features, target, ...(s ? { sparse: s } : {}) }));
}

/** Layout 3: bytes after the names JSON: u64 entries in all, u64 byte offset of the block index. */
export const CSR_TAIL_BYTES = 16;

/** Encodes a header; its length is cacheHeaderBytes(features, target). */
export function encodeCacheHeader(h: Omit<CacheHeader, 'dataOffset'>): Uint8Array {
  const d = h.features.length;
  const names = namesJson(h.features, h.target, h.sparse);
  const size = cacheHeaderBytes(h.features, h.target, h.sparse);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = CACHE_MAGIC.charCodeAt(i);
  dv.setUint32(8, CACHE_VERSION, true);
  dv.setUint32(12, size, true);
  dv.setBigUint64(16, BigInt(h.rows), true);
  dv.setUint32(24, d, true);
  dv.setUint32(28, h.sparse ? LAYOUT_CSR : h.dtype === 'f16' ? LAYOUT_ROW_MAJOR_F16 : LAYOUT_ROW_MAJOR_F32, true);
  dv.setUint32(32, names.length, true);
  [...h.featureStats, h.targetStats].forEach((s, j) => {
    const at = CACHE_FIXED_BYTES + 40 * j;
    [s.count, s.mean, s.m2, s.min, s.max].forEach((v, k) => dv.setFloat64(at + 8 * k, v, true));
  });
  out.set(names, CACHE_FIXED_BYTES + 40 * (d + 1));
  if (h.sparse) {
    const tail = CACHE_FIXED_BYTES + 40 * (d + 1) + names.length;
    dv.setBigUint64(tail, BigInt(h.sparse.nnz), true);
    dv.setBigUint64(tail + 8, BigInt(h.sparse.indexAt), true);
  }
  dv.setUint32(CRC_AT, crc32(out, CRC_AT), true);
  return out;
}

/** Where the header's checksum is stored. */
const CRC_AT = 36;

/** Bytes to read to learn the header size. */
export const CACHE_PREFIX_BYTES = 16;

/** The header size from the first 16 bytes; throws on a bad magic or version. */
export function cacheHeaderSize(file: string, prefix: Uint8Array): number {
  const magic = String.fromCharCode(...prefix.subarray(0, 8));
  if (prefix.length < CACHE_PREFIX_BYTES || magic !== CACHE_MAGIC) throw new DataError(file, null, null, `not a downhill cache (bad magic bytes; expected "${CACHE_MAGIC}")`);
  const dv = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== CACHE_VERSION) throw new DataError(file, null, null, `unsupported cache format version ${version}; expected ${CACHE_VERSION} (convert the data again)`);
  return dv.getUint32(12, true);
}

/** Decodes a whole header (bytes 0..H) and checks it against the file size; anything inconsistent is a DataError. */
export function decodeCacheHeader(file: string, bytes: Uint8Array, fileSize: number): CacheHeader {
  const corrupt = (why: string): never => {
    throw new DataError(file, null, null, `corrupt cache header (${why}); convert the data again`);
  };
  const dataOffset = cacheHeaderSize(file, bytes);
  if (bytes.length < CACHE_FIXED_BYTES || dataOffset < CACHE_FIXED_BYTES) corrupt(`the header ends before its fixed fields (${Math.min(bytes.length, dataOffset)} bytes)`);
  if (dataOffset > bytes.length) corrupt(`it says the rows start at byte ${dataOffset}, past the end of the file (${fileSize} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const crc = dv.getUint32(CRC_AT, true);
  if (crc !== 0 && crc !== crc32(bytes.subarray(0, dataOffset), CRC_AT)) corrupt('checksum mismatch');
  const rows = Number(dv.getBigUint64(16, true));
  const d = dv.getUint32(24, true);
  const layout = dv.getUint32(28, true);
  const namesLen = dv.getUint32(32, true);
  if (layout !== LAYOUT_ROW_MAJOR_F32 && layout !== LAYOUT_ROW_MAJOR_F16 && layout !== LAYOUT_CSR) {
    throw new DataError(file, null, null, `unknown data layout ${layout}; expected ${LAYOUT_ROW_MAJOR_F32} (row-major float32), ${LAYOUT_ROW_MAJOR_F16} (float16 features) or ${LAYOUT_CSR} (sparse rows)`);
  }
  const dtype: DType = layout === LAYOUT_ROW_MAJOR_F16 ? 'f16' : 'f32';
  const namesAt = CACHE_FIXED_BYTES + 40 * (d + 1);
  if ((d < 1 && layout !== LAYOUT_CSR) || namesAt + namesLen + (layout === LAYOUT_CSR ? CSR_TAIL_BYTES : 0) > dataOffset) corrupt('sizes do not fit');
  let names: { features?: unknown; target?: unknown; sparse?: unknown };
  try {
    names = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(namesAt, namesAt + namesLen))) as typeof names;
  } catch {
    return corrupt('the column names are not valid JSON');
  }
  const features = names?.features;
  if (!Array.isArray(features) || features.length !== d || !features.every((f) => typeof f === 'string') || typeof names.target !== 'string') {
    corrupt(`expected ${d} feature names and a target name`);
  }
  const stats = Array.from({ length: d + 1 }, (_, j): ColumnStats => {
    const at = CACHE_FIXED_BYTES + 40 * j;
    const [count, mean, m2, min, max] = [0, 1, 2, 3, 4].map((k) => dv.getFloat64(at + 8 * k, true));
    return { count, mean, m2, min, max };
  });
  const slack = (s: ColumnStats) => 1e-6 * Math.max(Math.abs(s.min), Math.abs(s.max));
  const badStat = stats.findIndex((s) => s.count !== rows || ![s.mean, s.m2, s.min, s.max].every(Number.isFinite) && rows > 0 ||
    rows > 0 && (s.m2 < 0 || s.min > s.max || s.mean < s.min - slack(s) || s.mean > s.max + slack(s)));
  if (badStat >= 0) corrupt(`inconsistent statistics for column ${badStat + 1}`);
  if (layout === LAYOUT_CSR) {
    const tail = namesAt + namesLen;
    const sparse = checkCsrInfo(file, names.sparse, Number(dv.getBigUint64(tail, true)), Number(dv.getBigUint64(tail + 8, true)), rows, dataOffset, fileSize);
    return { rows, features: features as string[], target: names.target as string, featureStats: stats.slice(0, d), targetStats: stats[d], dataOffset, dtype: 'f32', sparse };
  }
  const expected = dataOffset + rows * cacheRowBytes(d, dtype);
  if (fileSize !== expected) {
    throw new DataError(file, null, null, `${fileSize < expected ? 'truncated' : 'trailing bytes'}: expected ${expected} bytes for ${rows} rows × ${d + 1} columns, file has ${fileSize}`);
  }
  return { rows, features: features as string[], target: names.target as string, featureStats: stats.slice(0, d), targetStats: stats[d], dataOffset, dtype };
}
