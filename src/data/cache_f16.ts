// Rows of a ".dh" cache stored as halves (layout 2, `--dtype f16`): each row is D IEEE binary16 features, then the
// target as float32 (2D + 4 bytes instead of 4D + 4; the target keeps its precision). Features are rounded from the
// float32 values to the nearest half; every reader (GPU and CPU backends) then sees exactly the rounded values.
// Pure functions, no I/O; the writer and reader in cache.ts call them.
import { f16Bits, f16Table, F16_MAX, type DType } from '../core/f16';
import { DataError } from './csv';
import type { DataSource } from './source';

/** Bytes of one stored row: D features (4 or 2 bytes each) and the float32 target. */
export function cacheRowBytes(d: number, dtype: DType = 'f32'): number {
  return dtype === 'f16' ? 2 * d + 4 : 4 * (d + 1);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Encodes interleaved float32 rows (d features then y, `rows.length / (d + 1)` rows) as layout-2 bytes. Throws a
 * DataError naming the first feature whose magnitude does not fit a half (> 65504): halves hold it only as infinity.
 */
export function encodeF16Rows(rows: Float32Array, d: number, file: string, firstRow: number, names: readonly string[]): Uint8Array {
  const w = d + 1;
  const n = rows.length / w;
  const out = new Uint16Array(n * (d + 2));
  for (let r = 0, i = 0, o = 0; r < n; r++) {
    for (let j = 0; j < d; j++, i++) {
      const v = rows[i];
      if (!(Math.abs(v) < 65520)) {
        throw new DataError(file, firstRow + r + 1, `${j + 1} "${names[j]}"`, `${v} does not fit float16 (|x| ≤ ${F16_MAX}); keep --dtype f32 or rescale the feature`, 'row');
      }
      out[o++] = f16Bits(v);
    }
    f32[0] = rows[i++];
    out[o++] = u32[0] & 0xffff;
    out[o++] = u32[0] >>> 16;
  }
  return new Uint8Array(out.buffer);
}

/** Decodes `count` layout-2 rows into interleaved float32 rows (d features, the halves' values, then y). */
export function decodeF16Rows(bytes: Uint8Array, count: number, d: number): Float32Array {
  const src = new Uint16Array(bytes.buffer, bytes.byteOffset, count * (d + 2));
  const out = new Float32Array(count * (d + 1));
  const t = f16Table();
  for (let r = 0, i = 0, o = 0; r < count; r++) {
    for (let j = 0; j < d; j++) out[o++] = t[src[i++]];
    u32[0] = src[i] | (src[i + 1] << 16);
    i += 2;
    out[o++] = f32[0];
  }
  return out;
}

/** A `--dtype` flag's value (undefined when not given); anything else is `fail`'s error. */
export function parseDtype(text: string | undefined, fail: (message: string) => Error = (m) => new Error(m)): DType | undefined {
  if (text === undefined) return undefined;
  if (text === 'f32' || text === 'f16') return text;
  throw fail(`--dtype must be f32 or f16, got "${text}"`);
}

/**
 * How training keeps the features of `source`: as its cache stores them unless told; f16 only from a cache written
 * with --dtype f16 (the rounding happens once, when converting, so every backend and every epoch reads the same values).
 */
export function trainDtype(file: string, source: DataSource, asked: DType | undefined, fail: (message: string) => Error = (m) => new Error(m)): DType {
  const stored = (source as { dtype?: DType }).dtype ?? 'f32';
  if (asked !== 'f16') return asked ?? stored;
  if (stored === 'f16') return 'f16';
  const how = /\.dh$/i.test(file) ? `${file} holds float32 rows` : `${file} is not a .dh cache`;
  throw fail(`--dtype f16 trains from a .dh cache written with --dtype f16, and ${how}: ` +
    `write one with \`downhill convert <data> -o data.dh --dtype f16\` (or \`downhill gen … -o data.dh --dtype f16\`), then train on it`);
}
