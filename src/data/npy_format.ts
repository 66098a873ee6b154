// The .npy header (NumPy format versions 1.0, 2.0 and 3.0): the magic "\x93NUMPY", a version, a header
// length, and a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (N, D), } padded with
// spaces and a newline so the data starts on a 64-byte boundary. Pure functions, no I/O.
import { DataError } from './csv';

/** Element types we read: little-endian float32 and float64. */
export type NpyDtype = '<f4' | '<f8';

/** What a header says about the array that follows it. */
export interface NpyHeader {
  version: string;
  dtype: NpyDtype;
  shape: number[];
  /** Byte offset of the first element. */
  dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** Bytes of the fixed prefix to read before the header length is known. */
export const NPY_PREFIX_BYTES = 12;

/** Bytes per element of a dtype. */
export const itemSize = (dtype: NpyDtype): number => (dtype === '<f4' ? 4 : 8);

/** Where the dict ends given the fixed prefix (magic, version, length); throws on a bad magic or version. */
export function npyHeaderEnd(file: string, prefix: Uint8Array): { start: number; end: number; version: string } {
  if (prefix.length < 10 || MAGIC.some((m, i) => prefix[i] !== m)) {
    throw new DataError(file, null, null, 'not a .npy file (bad magic bytes; expected "\\x93NUMPY")');
  }
  const major = prefix[6];
  const version = `${major}.${prefix[7]}`;
  const dv = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  if (major === 1) return { start: 10, end: 10 + dv.getUint16(8, true), version };
  if ((major === 2 || major === 3) && prefix.length >= 12) return { start: 12, end: 12 + dv.getUint32(8, true), version };
  throw new DataError(file, null, null, `unsupported .npy format version ${version}; expected 1.0, 2.0 or 3.0`);
}

function field(dict: string, key: string): string | null {
  const m = new RegExp(`['"]${key}['"]\\s*:\\s*`).exec(dict);
  if (!m) return null;
  const rest = dict.slice(m.index + m[0].length);
  const v = /^('[^']*'|"[^"]*"|\([^)]*\)|\[[^\]]*\]|True|False)/.exec(rest);
  return v ? v[1] : rest.slice(0, 40);
}

/** Parses the dict of a header (its text decoded) into dtype and shape, rejecting what we cannot read. */
export function parseNpyDict(file: string, dict: string, version: string, dataOffset: number): NpyHeader {
  const descr = field(dict, 'descr');
  const fortran = field(dict, 'fortran_order');
  const shapeText = field(dict, 'shape');
  if (descr === null || fortran === null || shapeText === null) {
    throw new DataError(file, null, null, `bad .npy header: expected keys 'descr', 'fortran_order' and 'shape', got ${dict.trim()}`);
  }
  const dtype = descr.replace(/^['"]|['"]$/g, '');
  if (dtype !== '<f4' && dtype !== '<f8') {
    throw new DataError(file, null, null, `dtype ${descr} is not supported; expected '<f4' (float32) or '<f8' (float64), little-endian`);
  }
  if (fortran !== 'False') {
    throw new DataError(file, null, null, 'the array is stored in Fortran (column-major) order; save it in C order (np.ascontiguousarray) and try again');
  }
  const m = /^\(([^)]*)\)$/.exec(shapeText);
  const dims = m ? m[1].split(',').map((s) => s.trim()).filter((s) => s !== '') : null;
  if (!dims || !dims.every((s) => /^\d+$/.test(s))) throw new DataError(file, null, null, `bad .npy shape ${shapeText}`);
  return { version, dtype, shape: dims.map(Number), dataOffset };
}

/** Decodes the dict bytes (latin-1 for versions 1 and 2, UTF-8 for 3). */
export function decodeNpyDict(bytes: Uint8Array, version: string): string {
  return new TextDecoder(version.startsWith('3.') ? 'utf-8' : 'latin1').decode(bytes);
}

/** The full version-1.0 header (a multiple of 64 bytes, at least `minBytes`) for a C-order array. */
export function encodeNpyHeader(dtype: NpyDtype, shape: readonly number[], minBytes = 128): Uint8Array {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${dims}, }`;
  const total = Math.max(minBytes, Math.ceil((10 + dict.length + 1) / 64) * 64);
  const out = new Uint8Array(total).fill(0x20);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, total - 10, true);
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  out[total - 1] = 0x0a;
  return out;
}
