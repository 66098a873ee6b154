// FTRL-proximal (McMahan et al. 2013): z and n of column c in two state slots, α = lr, β = hp.optim.x; on weights
// λ1 = hp.penalty.y and λ2 = hp.penalty.x (the penalty is this rule's closed form: apply_update's OWN_PENALTY skips its
// links), on biases none. w = 0 where |z| ≤ λ1. CPU twin: src/core/optim/ftrl.ts.
const OPT_SLOTS: u32 = 2u;

fn opt_update(w: vec4<f32>, g: vec4<f32>, c: u32, lr: f32) -> vec4<f32> {
  let n0 = state[2u * c + 1u];
  let n1 = n0 + g * g;
  let z = state[2u * c] + g - (sqrt(n1) - sqrt(n0)) / lr * w;
  state[2u * c] = z;
  state[2u * c + 1u] = n1;
  let pen = select(vec2<f32>(0.0), hp.penalty.yx, is_weight(c));
  let w1 = -(z - sign(z) * pen.x) / ((hp.optim.x + sqrt(n1)) / lr + pen.y);
  return select(w1, vec4<f32>(0.0), abs(z) <= vec4<f32>(pen.x));
}
