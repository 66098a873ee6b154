// AdaGrad, ε = hp.optim.z: G ← G + g²; w − lr·g/(√G + ε). CPU twin: src/core/optim/adagrad.ts.
const OPT_SLOTS: u32 = 1u;

fn opt_update(w: vec4<f32>, g: vec4<f32>, c: u32, lr: f32) -> vec4<f32> {
  let s = state[c] + g * g;
  state[c] = s;
  return w - lr * g / (sqrt(s) + hp.optim.z);
}
