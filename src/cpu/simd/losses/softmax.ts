// Softmax cross-entropy over K outputs in f32 for the fast CPU backend's training passes; f64 twin:
// src/core/losses/softmax.ts, GPU part: shaders/losses/softmax.wgsl. Rows of K outputs at z, class indices at y;
// writes P(c) − [t = c] into g (K per row) and Σ loss, Σ_r dL/dz_c (K) at out.
export function softmax_rows(z: usize, y: usize, g: usize, count: u32, k: u32, out: usize): void {
  let loss: f64 = 0;
  for (let c: u32 = 0; c < k; c++) store<f64>(out + 8 + (<usize>c << 3), 0);
  for (let r: u32 = 0; r < count; r++) {
    const zr = z + (<usize>(r * k) << 2);
    const gr = g + (<usize>(r * k) << 2);
    const t = <u32>load<f32>(y + (<usize>r << 2));
    let m = load<f32>(zr);
    for (let c: u32 = 1; c < k; c++) m = Mathf.max(m, load<f32>(zr + (<usize>c << 2)));
    let s: f32 = 0;
    for (let c: u32 = 0; c < k; c++) {
      const e = Mathf.exp(load<f32>(zr + (<usize>c << 2)) - m);
      store<f32>(gr + (<usize>c << 2), e);
      s += e;
    }
    loss += <f64>(Mathf.log(s) + m - load<f32>(zr + (<usize>t << 2)));
    const inv: f32 = 1 / s;
    for (let c: u32 = 0; c < k; c++) {
      const q = gr + (<usize>c << 2);
      const d = load<f32>(q) * inv - (c == t ? <f32>1 : 0);
      store<f32>(q, d);
      const b = out + 8 + (<usize>c << 3);
      store<f64>(b, load<f64>(b) + d);
    }
  }
  store<f64>(out, loss);
}
