// The squared loss, four rows at a time in f32: the default loss's override of the generic row loop (rows.ts), kept
// because it pays (bench/RESULTS.md 2026-12-07: the generic f64 loop cost 3-7% per epoch at D = 64). Its oracle is
// the unit's math class, src/core/losses/squared.ts (test/cpu/simd_rows.test.ts). GPU part: shaders/losses/squared.wgsl.
import { addRows, loadRows, storeRows, storeSums, sumOf } from '../loss_math';

export function squared_rows(z: usize, y: usize, g: usize, count: u32, hp: usize, out: usize): void {
  const two = f32x4.splat(2);
  let loss = f64x2.splat(0);
  let sum = f64x2.splat(0);
  for (let r: u32 = 0; r < count; r += 4) {
    const o = <usize>r << 2;
    const left = count - r;
    const e = f32x4.sub(loadRows(z + o, left), loadRows(y + o, left));
    const d = f32x4.mul(two, e);
    storeRows(g + o, d, left);
    loss = addRows(loss, f32x4.mul(e, e), left);
    sum = addRows(sum, d, left);
  }
  storeSums(out, sumOf(loss), sumOf(sum));
}
