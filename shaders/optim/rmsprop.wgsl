// RMSprop, ρ = hp.optim.x, ε = hp.optim.z: s ← ρ·s + (1 − ρ)·g²; w − lr·g/(√s + ε). CPU twin: src/core/optim/rmsprop.ts.
const OPT_SLOTS: u32 = 1u;

fn opt_update(w: vec4<f32>, g: vec4<f32>, c: u32, lr: f32) -> vec4<f32> {
  let s = hp.optim.x * state[c] + (1.0 - hp.optim.x) * g * g;
  state[c] = s;
  return w - lr * g / (sqrt(s) + hp.optim.z);
}
