// Squared error: (value, dL/dz) = ((z − t)², 2(z − t)). CPU twin: src/core/losses/squared.ts.
fn loss_eval(z: f32, t: f32) -> vec2<f32> {
  let e = z - t;
  return vec2<f32>(e * e, 2.0 * e);
}

fn loss_link(z: f32) -> f32 { return z; }

// d²L/dz² (Newton's row weight).
fn loss_d2z(z: f32, t: f32) -> f32 { return 2.0; }
