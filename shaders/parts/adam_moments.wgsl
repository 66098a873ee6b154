// Adam's moments of a column in two state slots, (β1, β2, ε) = hp.optim.xyz, bias corrections params.c1 and
// params.c2: returns the step m̂/(√v̂ + ε). Linked with optim/adam.wgsl and optim/adamw.wgsl. CPU twin: adamStep
// in src/core/optim/adam.ts.
fn adam_step(g: vec4<f32>, c: u32) -> vec4<f32> {
  let m = hp.optim.x * state[2u * c] + (1.0 - hp.optim.x) * g;
  let v = hp.optim.y * state[2u * c + 1u] + (1.0 - hp.optim.y) * g * g;
  state[2u * c] = m;
  state[2u * c + 1u] = v;
  return m * params.c1 / (sqrt(v * params.c2) + hp.optim.z);
}
