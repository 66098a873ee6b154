// Elastic net: l2·w in the gradient (l2 = hp.penalty.x), then soft-threshold by lr·l1 (l1 = hp.penalty.y).
// CPU twin: src/core/penalties/elasticnet.ts.
fn penalty_grad(w: vec4<f32>) -> vec4<f32> { return hp.penalty.x * w; }

fn penalty_prox(w: vec4<f32>, lr: f32) -> vec4<f32> {
  let t = lr * hp.penalty.y;
  return sign(w) * max(abs(w) - vec4<f32>(t), vec4<f32>(0.0));
}
