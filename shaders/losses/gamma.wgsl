// Gamma with the log link: (t·exp(−z) + z, 1 − t·exp(−z)); predictions exp(z). CPU twin: src/core/losses/gamma.ts.
fn loss_eval(z: f32, t: f32) -> vec2<f32> {
  let a = t * exp(-z);
  return vec2<f32>(a + z, 1.0 - a);
}

fn loss_link(z: f32) -> f32 { return exp(z); }

// d²L/dz² (Newton's row weight).
fn loss_d2z(z: f32, t: f32) -> f32 { return t * exp(-z); }
