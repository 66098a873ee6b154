// Poisson with the log link: (exp(z) − t·z, exp(z) − t); predictions exp(z). CPU twin: src/core/losses/poisson.ts.
fn loss_eval(z: f32, t: f32) -> vec2<f32> {
  let mu = exp(z);
  return vec2<f32>(mu - t * z, mu - t);
}

fn loss_link(z: f32) -> f32 { return exp(z); }

// d²L/dz² (Newton's row weight).
fn loss_d2z(z: f32, t: f32) -> f32 { return exp(z); }
