// AdamW: decoupled weight decay λ = hp.optim.w on weights (w ← w − lr·λ·w), then the Adam step
// (parts/adam_moments.wgsl). CPU twin: src/core/optim/adamw.ts.
const OPT_SLOTS: u32 = 2u;

fn opt_update(w: vec4<f32>, g: vec4<f32>, c: u32, lr: f32, weight: bool) -> vec4<f32> {
  var v = w;
  if (weight) { v -= lr * hp.optim.w * w; }
  return v - lr * adam_step(g, c);
}
