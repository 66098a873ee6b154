// The squared loss in f32 for the fast CPU backend's training passes; f64 twin: src/core/losses/squared.ts, GPU part:
// shaders/losses/squared.wgsl. Rows: z (outputs), y (targets), g (dL/dz out), hp (four f64 slots), out (Σ loss, Σ dL/dz).
import { storeSums } from '../loss_math';

export function squared_rows(z: usize, y: usize, g: usize, count: u32, hp: usize, out: usize): void {
  const h = <f32>load<f64>(hp);
  let loss: f64 = 0;
  let sum: f64 = 0;
  for (let r: u32 = 0; r < count; r++) {
    const o = <usize>r << 2;
    const zr = load<f32>(z + o);
    const t = load<f32>(y + o);
    const e = zr - t;
    const l = e * e;
    const d: f32 = 2 * e;
    store<f32>(g + o, d);
    loss += l;
    sum += d;
  }
  storeSums(out, loss, sum);
}
