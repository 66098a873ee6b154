// The one rule every numeric reader applies to the values it decodes: each must be a finite number that float32
// can hold. CSV checks its cells as it parses them (csv_plan.ts); the binary formats (NPY, .dh, Parquet) check
// their decoded blocks here, before narrowing to float32, so 1e300 is reported as out of range, not as Infinity.
import { DataError } from './csv';

/** The smallest magnitude that rounds to an infinite float32 (2^128 − 2^103): anything below is representable. */
export const F32_OVERFLOW = 3.4028235677973366e38;

/** True when v is finite and rounds to a finite float32. */
export const isF32 = (v: number): boolean => v < F32_OVERFLOW && v > -F32_OVERFLOW;

/** Why a value cannot be trained on, for a message. */
export function badValueReason(v: number): string {
  if (Number.isNaN(v)) return 'NaN is not a number; every value must be finite';
  if (!Number.isFinite(v)) return `${v} is not finite; every value must be finite`;
  return `the number ${v} is outside the float32 range (±3.4e38)`;
}

/**
 * Checks a row-major block of `cols` columns whose first row is `firstRow` (0-based) in `file`; throws a DataError
 * naming the 1-based row and the column (by `columnName(j)`) of the first value that is NaN, infinite or beyond
 * float32. `fast`: a faster test of float32 values in the caller's memory (HostChunk.allFinite), for the usual case.
 */
export function checkValues(
  file: string, values: ArrayLike<number>, cols: number, firstRow: number, columnName: (j: number) => string, fast?: (v: Float32Array) => boolean,
): void {
  if (values instanceof Float32Array && (fast ? fast(values) : allFinite(values))) return;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < F32_OVERFLOW && v > -F32_OVERFLOW) continue;
    const j = i % cols;
    throw new DataError(file, firstRow + Math.floor(i / cols) + 1, `${j + 1} "${columnName(j)}"`, badValueReason(v), 'row');
  }
}

/**
 * Whether every float32 is finite (any finite float32 is in range): one comparison pair per value, which V8 keeps
 * in registers — half the CPU time of summing v·0 in four lanes (45 vs 100 ms per 32M warm values, shared memory or not).
 */
function allFinite(v: Float32Array): boolean {
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!(x < F32_OVERFLOW && x > -F32_OVERFLOW)) return false;
  }
  return true;
}
