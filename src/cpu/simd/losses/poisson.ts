// The poisson loss in f32 for the fast CPU backend's training passes; f64 twin: src/core/losses/poisson.ts, GPU part:
// shaders/losses/poisson.wgsl. Rows: z (outputs), y (targets), g (dL/dz out), hp (four f64 slots), out (Σ loss, Σ dL/dz).
// Four rows at a time with the vectorized exp (../fast_math.ts); the last block may be partial.
import { addRows, loadRows, storeRows, storeSums, sumOf } from '../loss_math';
import { expv } from '../fast_math';

export function poisson_rows(z: usize, y: usize, g: usize, count: u32, hp: usize, out: usize): void {
  let loss = f64x2.splat(0);
  let sum = f64x2.splat(0);
  for (let r: u32 = 0; r < count; r += 4) {
    const o = <usize>r << 2;
    const left = count - r;
    const zr = loadRows(z + o, left);
    const t = loadRows(y + o, left);
    const mu = expv(zr);
    const d = f32x4.sub(mu, t);
    storeRows(g + o, d, left);
    loss = addRows(loss, f32x4.sub(mu, f32x4.mul(t, zr)), left);
    sum = addRows(sum, d, left);
  }
  storeSums(out, sumOf(loss), sumOf(sum));
}
