// AssemblyScript (compiled with kernels.ts, which re-exports it): a block of a .dh cache's sparse rows — n·(d + 1)
// f32 dense values (x, then y, a row), n + 1 u32 offsets, e u32 indices, then e f32 or f16 values or none for ±1
// indicators (src/data/cache_csr.ts) — checked and written as row records (simd_sparse_store.ts) in place. Its
// JavaScript twin, which also words its errors and is the oracle of its parity test, is src/data/cache_csr_records.ts.

const F32_EXP: u32 = 0x7f800000;

/** The f32 of half bits h (finite: the block was checked), exactly as core/f16.ts f16Table gives it. */
@inline function halfValue(h: u32): f32 {
  const sign = (h & 0x8000) << 16;
  const em = h & 0x7fff;
  if (em >= 0x400) return reinterpret<f32>(sign | ((em + (112 << 10)) << 13));
  return reinterpret<f32>(reinterpret<u32>(<f32>em * 5.9604644775390625e-8) | sign); // a subnormal half: m·2^-24
}

/** count u32 words from src to dst, four a step (the last few one by one: nothing past count is written). */
@inline function copyWords(dst: usize, src: usize, count: u32): void {
  let i: u32 = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < count; i++) store<u32>(dst + (<usize>i << 2), load<u32>(src + (<usize>i << 2)));
}

/** 1 when any of count u32 words at p has every exponent bit set (an f32 ±∞ or NaN), else 0. */
function anyNotFinite(p: usize, count: usize): u32 {
  const exp = i32x4.splat(F32_EXP);
  let bad = i32x4.splat(0);
  let i: usize = 0;
  for (; i + 4 <= count; i += 4) bad = v128.or(bad, i32x4.eq(v128.and(v128.load(p + (i << 2)), exp), exp));
  let any: u32 = v128.any_true(bad) ? 1 : 0;
  for (; i < count; i++) if ((load<u32>(p + (i << 2)) & F32_EXP) == F32_EXP) any = 1;
  return any;
}

/**
 * Checks the block of n rows at blk as decodeBlock does (offsets that never decrease, indices inside `width`, finite
 * values; its size was checked by the caller) and writes its rows [from, to) — those whose byte at sel + (r − from)
 * is not 0 where sel is not 0 (a holdout's share) — one after another to the records from `out` on (`stride` bytes
 * each: x first, y at byte yAt, the count at nAt, S indices after it and, valued, each value S words after its index).
 * kind: 0 indicators, 1 f32 values, 2 f16 values. Returns 0, or 1 when a check fails (nothing written), or 2 when a
 * row written would hold more than S entries (the rows before it written).
 */
export function csrRecords(
  blk: usize, n: u32, d: u32, kind: u32, width: u32, from: u32, to: u32, sel: usize, out: usize, stride: usize, yAt: usize, nAt: usize, S: u32,
): u32 {
  const ptr = blk + ((<usize>n * (d + 1)) << 2);
  const idx = ptr + (<usize>(n + 1) << 2);
  const e = load<u32>(ptr + (<usize>n << 2));
  const val = idx + (<usize>e << 2);
  for (let r: u32 = 0; r < n; r++) if (load<u32>(ptr + (<usize>(r + 1) << 2)) < load<u32>(ptr + (<usize>r << 2))) return 1;
  const mask: u32 = kind ? 0xffffffff : 0x7fffffff;
  for (let k: usize = 0; k < <usize>e; k++) if ((load<u32>(idx + (k << 2)) & mask) >= width) return 1;
  if (kind == 1 && anyNotFinite(val, e)) return 1;
  if (kind == 2) for (let k: usize = 0; k < <usize>e; k++) if ((<u32>load<u16>(val + (k << 1)) & 0x7c00) == 0x7c00) return 1;
  if (anyNotFinite(blk, <usize>n * (d + 1))) return 1;
  let o = out - stride;
  for (let r = from; r < to; r++) {
    if (sel != 0 && load<u8>(sel + <usize>(r - from)) == 0) continue;
    o += stride;
    const m = blk + ((<usize>r * (d + 1)) << 2);
    const e0 = load<u32>(ptr + (<usize>r << 2));
    const c = load<u32>(ptr + (<usize>(r + 1) << 2)) - e0;
    if (c > S) return 2;
    copyWords(o, m, d);
    store<u32>(o + yAt, load<u32>(m + (<usize>d << 2)));
    store<u32>(o + nAt, c);
    const ix = o + nAt + 4;
    copyWords(ix, idx + (<usize>e0 << 2), c);
    if (kind == 1) copyWords(ix + (<usize>S << 2), val + (<usize>e0 << 2), c);
    if (kind == 2) for (let t: u32 = 0; t < c; t++) store<f32>(ix + (<usize>(S + t) << 2), halfValue(<u32>load<u16>(val + (<usize>(e0 + t) << 1))));
  }
  return 0;
}

/**
 * One step of each of `cols` columns' statistics over records (`stride` bytes each; column j's f32 at byte offs[j]
 * of a record, offs: u32), as core/stats.ts ColumnSet.addRows computes them, bit for bit: the sums in row order in
 * f64, then the corrected two-pass M2. `out` holds 5 f64 a column between the steps, taken in order: 0 starts; 1
 * adds `rows` records from `at` to the sums, min and max (called for consecutive pieces, the sums run on in row
 * order); 2 sets the mean of `rows` rows in all; 3 adds `rows` records from `at` to M2; 4 finishes over `rows` rows in
 * all, leaving 4 f64 a column: mean, M2, min, max. (Pieces, not one call: a long first call would run unoptimized.)
 */
export function recordStats(step: u32, at: usize, rows: u32, stride: usize, offs: usize, cols: u32, out: usize): void {
  const n = <f64>rows;
  if (step == 0) {
    for (let j: u32 = 0; j < cols; j++) {
      const o = out + <usize>j * 40;
      store<f64>(o, 0);
      store<f64>(o, Infinity, 16);
      store<f64>(o, -Infinity, 24);
    }
  } else if (step == 1) {
    for (let r: u32 = 0, p = at; r < rows; r++, p += stride) {
      for (let j: u32 = 0; j < cols; j++) {
        const o = out + <usize>j * 40;
        const v = <f64>load<f32>(p + <usize>load<u32>(offs + (<usize>j << 2)));
        store<f64>(o, load<f64>(o) + v);
        if (v < load<f64>(o, 16)) store<f64>(o, v, 16);
        if (v > load<f64>(o, 24)) store<f64>(o, v, 24);
      }
    }
  } else if (step == 2) {
    for (let j: u32 = 0; j < cols; j++) {
      const o = out + <usize>j * 40;
      store<f64>(o, load<f64>(o) / n, 32); // the mean
      store<f64>(o, 0); // Σ dv (the compensation)
      store<f64>(o, 0, 8); // Σ dv²
    }
  } else if (step == 3) {
    for (let r: u32 = 0, p = at; r < rows; r++, p += stride) {
      for (let j: u32 = 0; j < cols; j++) {
        const o = out + <usize>j * 40;
        const dv = <f64>load<f32>(p + <usize>load<u32>(offs + (<usize>j << 2))) - load<f64>(o, 32);
        store<f64>(o, load<f64>(o, 8) + dv * dv, 8);
        store<f64>(o, load<f64>(o) + dv);
      }
    }
  } else {
    for (let j: u32 = 0; j < cols; j++) {
      const o = out + <usize>j * 40;
      const comp = load<f64>(o);
      const m2 = load<f64>(o, 8) - (comp * comp) / n;
      const min = load<f64>(o, 16);
      const max = load<f64>(o, 24);
      const mean = load<f64>(o, 32) + comp / n;
      const q = out + <usize>j * 32; // ≤ o: column j's values are read, the next column's start past q + 32
      store<f64>(q, mean);
      store<f64>(q, m2 > 0 ? m2 : 0, 8);
      store<f64>(q, min, 16);
      store<f64>(q, max, 24);
    }
  }
}
