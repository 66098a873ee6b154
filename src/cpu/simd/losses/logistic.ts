// The logistic loss in f32 for the fast CPU backend's training passes; f64 twin: src/core/losses/logistic.ts, GPU part:
// shaders/losses/logistic.wgsl. Rows: z (outputs), y (targets), g (dL/dz out), hp (four f64 slots), out (Σ loss, Σ dL/dz).
import { signOf, storeSums } from '../loss_math';

export function logistic_rows(z: usize, y: usize, g: usize, count: u32, hp: usize, out: usize): void {
  const h = <f32>load<f64>(hp);
  let loss: f64 = 0;
  let sum: f64 = 0;
  for (let r: u32 = 0; r < count; r++) {
    const o = <usize>r << 2;
    const zr = load<f32>(z + o);
    const t = load<f32>(y + o);
    const s = signOf(t);
    const v = -s * zr;
    const e = Mathf.exp(-Mathf.abs(v)); // one exp for both: log(1 + e^v) and σ(v), without overflow
    const l = Mathf.max(v, 0) + Mathf.log(1 + e);
    const d = -s * (v >= 0 ? 1 / (1 + e) : e / (1 + e));
    store<f32>(g + o, d);
    loss += l;
    sum += d;
  }
  storeSums(out, loss, sum);
}
