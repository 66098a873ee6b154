// IEEE 754 half precision (binary16) for stored data: float32 → half bits (round to nearest, ties to even),
// half bits → value, and float32 arrays rounded to the nearest halves. Node 20 has no Float16Array; WGSL unpacks the
// same bits with unpack2x16float. Data stored as halves is read as these rounded values by every backend.

/** How feature values are stored: float32, or float16 (half the bytes; arithmetic stays f32 everywhere). */
export type DType = 'f32' | 'f16';

/** The stored data types, for flags and messages. */
export const DTYPES: readonly DType[] = ['f32', 'f16'];

/** Largest finite half. */
export const F16_MAX = 65504;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The half bits nearest a float32 value (v is first rounded to float32); ±Infinity beyond ±65520, NaN stays NaN. */
export function f16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const e = (x >>> 23) & 0xff;
  const m = x & 0x7fffff;
  if (e === 0xff) return sign | 0x7c00 | (m ? 0x200 : 0);
  if (e >= 143) return sign | 0x7c00;
  if (e <= 112) {
    // A subnormal half: units of 2^−24, the 24-bit significand shifted right by 126 − e and rounded.
    const shift = 126 - e;
    if (shift > 24) return sign;
    const sig = m | 0x800000;
    const q = sig >>> shift;
    const r = sig & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    return sign | (r > half || (r === half && q & 1) ? q + 1 : q);
  }
  const h = sign | ((e - 112) << 10) | (m >>> 13);
  const r = m & 0x1fff;
  // A carry out of the significand rounds into the exponent (and up to infinity past 65504), as it should.
  return r > 0x1000 || (r === 0x1000 && h & 1) ? h + 1 : h;
}

let table: Float32Array | null = null;

/** The value of every half bit pattern (256 KiB, built on first use). */
export function f16Table(): Float32Array {
  if (table) return table;
  table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >>> 10) & 0x1f;
    const m = h & 0x3ff;
    table[h] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return table;
}

/** The value of half bits h. */
export function f16Value(h: number): number {
  return f16Table()[h & 0xffff];
}

/** The nearest half to v, as a number. */
export function roundF16(v: number): number {
  return f16Table()[f16Bits(v)];
}

/** Half bits of `src` into `dst` (same length or longer). */
export function packF16(src: ArrayLike<number>, dst: Uint16Array, at = 0): Uint16Array {
  for (let i = 0; i < src.length; i++) dst[at + i] = f16Bits(src[i]);
  return dst;
}

/** Rounds every value of `a` to its nearest half, in place; returns `a`. */
export function roundF16Array<T extends Float32Array | Float64Array>(a: T): T {
  const t = f16Table();
  for (let i = 0; i < a.length; i++) a[i] = t[f16Bits(a[i])];
  return a;
}

/** Index of the first finite value that does not fit a half (|v| > 65504 rounds to infinity), or −1. */
export function firstF16Overflow(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]) >= 65520 && Number.isFinite(a[i])) return i;
  return -1;
}
