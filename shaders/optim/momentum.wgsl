// Momentum, β = hp.optim.x: v ← β·v + g; w − lr·v. CPU twin: src/core/optim/momentum.ts.
const OPT_SLOTS: u32 = 1u;

fn opt_update(w: vec4<f32>, g: vec4<f32>, c: u32, lr: f32) -> vec4<f32> {
  let v = hp.optim.x * state[c] + g;
  state[c] = v;
  return w - lr * v;
}
