// Softmax cross-entropy over K outputs in f32 for the fast CPU backend's training passes; f64 twin:
// src/core/losses/softmax.ts, GPU part: shaders/losses/softmax.wgsl. Rows of K outputs at z, class indices at y;
// writes P(c) − [t = c] into g (K per row) and Σ loss, Σ_r dL/dz_c (K) at out. The exps go four classes at a time
// (../fast_math.ts). softmax_rows_w: the same with each row's loss and dL/dz times its sample weight (f32 at w).
import { keepRows, loadRows, storeRows } from '../loss_math';
import { expv, logv } from '../fast_math';

export function softmax_rows(z: usize, y: usize, g: usize, count: u32, k: u32, out: usize): void {
  softmaxRows(z, y, g, count, k, out, 0);
}

export function softmax_rows_w(z: usize, y: usize, g: usize, count: u32, k: u32, out: usize, w: usize): void {
  softmaxRows(z, y, g, count, k, out, w);
}

/** The rows; w = 0 (a constant after inlining) for none. */
@inline function softmaxRows(z: usize, y: usize, g: usize, count: u32, k: u32, out: usize, w: usize): void {
  let loss: f64 = 0;
  for (let c: u32 = 0; c < k; c++) store<f64>(out + 8 + (<usize>c << 3), 0);
  for (let r: u32 = 0; r < count; r++) {
    const zr = z + (<usize>(r * k) << 2);
    const gr = g + (<usize>(r * k) << 2);
    const t = <u32>load<f32>(y + (<usize>r << 2));
    let m = load<f32>(zr);
    for (let c: u32 = 1; c < k; c++) m = Mathf.max(m, load<f32>(zr + (<usize>c << 2)));
    const mv = f32x4.splat(m);
    let sv = f32x4.splat(0);
    for (let c: u32 = 0; c < k; c += 4) {
      const e = expv(f32x4.sub(loadRows(zr + (<usize>c << 2), k - c), mv));
      storeRows(gr + (<usize>c << 2), e, k - c);
      sv = f32x4.add(sv, keepRows(e, k - c));
    }
    const s = f32x4.extract_lane(sv, 0) + f32x4.extract_lane(sv, 1) + f32x4.extract_lane(sv, 2) + f32x4.extract_lane(sv, 3);
    const l = <f64>(f32x4.extract_lane(logv(f32x4.splat(s)), 0) + m - load<f32>(zr + (<usize>t << 2)));
    const wr: f32 = w ? load<f32>(w + (<usize>r << 2)) : 1;
    loss += w ? <f64>wr * l : l;
    const inv: f32 = 1 / s;
    for (let c: u32 = 0; c < k; c++) {
      const q = gr + (<usize>c << 2);
      let d = load<f32>(q) * inv - (c == t ? <f32>1 : 0);
      if (w) d *= wr;
      store<f32>(q, d);
      const b = out + 8 + (<usize>c << 3);
      store<f64>(b, load<f64>(b) + d);
    }
  }
  store<f64>(out, loss);
}
