// Adam: moments of column c in two state slots, (β1, β2, ε) = hp.optim.xyz, bias corrections params.c1 and
// params.c2; w − lr·m̂/(√v̂ + ε). AdamW links this part too (its decoupled decay is apply_update's DECOUPLED link).
// CPU twin: src/core/optim/adam.ts.
const OPT_SLOTS: u32 = 2u;

fn opt_update(w: vec4<f32>, g: vec4<f32>, c: u32, lr: f32) -> vec4<f32> {
  let m = hp.optim.x * state[2u * c] + (1.0 - hp.optim.x) * g;
  let v = hp.optim.y * state[2u * c + 1u] + (1.0 - hp.optim.y) * g * g;
  state[2u * c] = m;
  state[2u * c + 1u] = v;
  return w - lr * (m * params.c1 / (sqrt(v * params.c2) + hp.optim.z));
}
