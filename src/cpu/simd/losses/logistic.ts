// The logistic loss in f32 for the fast CPU backend's training passes; f64 twin: src/core/losses/logistic.ts, GPU part:
// shaders/losses/logistic.wgsl. Rows: z (outputs), y (targets), g (dL/dz out), hp (four f64 slots), out (Σ loss, Σ dL/dz).
// Four rows at a time with the vectorized exp and log1p (../fast_math.ts); the last block may be partial.
import { addRows, loadRows, signsOf, storeRows, storeSums, sumOf } from '../loss_math';
import { expv, log1pv } from '../fast_math';

export function logistic_rows(z: usize, y: usize, g: usize, count: u32, hp: usize, out: usize): void {
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  let loss = f64x2.splat(0);
  let sum = f64x2.splat(0);
  for (let r: u32 = 0; r < count; r += 4) {
    const o = <usize>r << 2;
    const left = count - r;
    const ns = f32x4.neg(signsOf(loadRows(y + o, left)));
    const v = f32x4.mul(ns, loadRows(z + o, left));
    const e = expv(f32x4.neg(f32x4.abs(v))); // one exp for both: log(1 + e^v) and σ(v), without overflow
    const l = f32x4.add(f32x4.pmax(v, zero), log1pv(e));
    const d = f32x4.mul(ns, f32x4.div(v128.bitselect(one, e, f32x4.ge(v, zero)), f32x4.add(one, e)));
    storeRows(g + o, d, left);
    loss = addRows(loss, l, left);
    sum = addRows(sum, d, left);
  }
  storeSums(out, sumOf(loss), sumOf(sum));
}
