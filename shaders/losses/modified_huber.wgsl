// Modified Huber for t ∈ {0, 1}, m = s·z: max(0, 1 − m)² for m ≥ −1, else −4m; P(class 1) = (clamp(z, −1, 1) + 1)/2.
// CPU twin: src/core/losses/modified_huber.ts.
const LOSS_PROBABILISTIC = true;

fn loss_eval(z: f32, t: f32) -> vec2<f32> {
  let s = select(-1.0, 1.0, t > 0.5);
  let m = s * z;
  let q = max(0.0, 1.0 - m);
  return select(vec2<f32>(-4.0 * m, -4.0 * s), vec2<f32>(q * q, -2.0 * s * q), m >= -1.0);
}

fn loss_link(z: f32) -> f32 { return (clamp(z, -1.0, 1.0) + 1.0) * 0.5; }

// d²L/dz² (Newton's row weight): 2 for −1 ≤ m < 1, else 0.
fn loss_d2z(z: f32, t: f32) -> f32 {
  let m = select(-1.0, 1.0, t > 0.5) * z;
  return select(0.0, 2.0, m >= -1.0 && m < 1.0);
}
