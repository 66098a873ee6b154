// L1: soft-threshold by lr·l1 (l1 = hp.penalty.y) after the step, so weights reach exactly zero.
// CPU twin: src/core/penalties/l1.ts.
fn penalty_grad(w: vec4<f32>) -> vec4<f32> { return vec4<f32>(0.0); }

fn penalty_prox(w: vec4<f32>, lr: f32) -> vec4<f32> {
  let t = lr * hp.penalty.y;
  return sign(w) * max(abs(w) - vec4<f32>(t), vec4<f32>(0.0));
}
