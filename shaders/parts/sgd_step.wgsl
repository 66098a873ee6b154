// One SGD step of a vec4 of weights (never a bias) under the linked penalty: w − lr·(g + ∂R/∂w), then R's
// proximal map (the L1 soft-threshold). CPU twin: sgdStep in src/core/model.ts.
fn sgd_weights(w: vec4<f32>, g: vec4<f32>, lr: f32) -> vec4<f32> {
  return penalty_prox(w - lr * (g + penalty_grad(w)), lr);
}
