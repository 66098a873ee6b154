// f32 helpers the loss parts (losses/*.ts) share, as in shaders/losses/logistic.wgsl.

/** The ±1 sign of a binary class index (0 → −1, 1 → +1). */
@inline export function signOf(t: f32): f32 {
  return t > 0.5 ? 1 : -1;
}

/** Stores a part's sums: Σ loss and Σ dL/dz (f64) at out. */
@inline export function storeSums(out: usize, loss: f64, dz: f64): void {
  store<f64>(out, loss);
  store<f64>(out, dz, 8);
}

/** The ±1 signs of four binary class indices. */
@inline export function signsOf(t: v128): v128 {
  return v128.bitselect(f32x4.splat(1), f32x4.splat(-1), f32x4.gt(t, f32x4.splat(0.5)));
}

/** Rows r…r+3 of an f32 column at p; in a last block of `left` < 4 rows the other lanes are 0 and nothing past it is read. */
@inline export function loadRows(p: usize, left: u32): v128 {
  if (left >= 4) return v128.load(p);
  let v = f32x4.replace_lane(f32x4.splat(0), 0, load<f32>(p));
  if (left > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (left > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Stores the first min(left, 4) lanes of v at p. */
@inline export function storeRows(p: usize, v: v128, left: u32): void {
  if (left >= 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (left > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (left > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** v with the lanes from `left` on set to 0. */
@inline export function keepRows(v: v128, left: u32): v128 {
  return left >= 4 ? v : v128.and(v, i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(<i32>left)));
}

/** acc (two f64 lanes) plus v's first min(left, 4) lanes, in f64: lanes 0 and 2 go to acc's lane 0, 1 and 3 to 1. */
@inline export function addRows(acc: v128, v: v128, left: u32): v128 {
  const kept = keepRows(v, left);
  const lo = f64x2.promote_low_f32x4(kept);
  const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(kept, kept, 2, 3, 0, 1));
  return f64x2.add(acc, f64x2.add(lo, hi));
}

/** The sum of an accumulator's two f64 lanes. */
@inline export function sumOf(acc: v128): f64 {
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}
