// Huber with δ = hp.loss.x: ½e² within δ, δ(|e| − ½δ) beyond; dL/dz = clamp(e, −δ, δ). CPU twin: src/core/losses/huber.ts.
fn loss_eval(z: f32, t: f32) -> vec2<f32> {
  let d = hp.loss.x;
  let e = z - t;
  let a = abs(e);
  return vec2<f32>(select(d * (a - 0.5 * d), 0.5 * e * e, a <= d), clamp(e, -d, d));
}

fn loss_link(z: f32) -> f32 { return z; }

// d²L/dz² (Newton's row weight): 1 within δ, 0 beyond.
fn loss_d2z(z: f32, t: f32) -> f32 { return select(0.0, 1.0, abs(z - t) <= hp.loss.x); }
