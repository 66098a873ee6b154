// Logistic loss for t ∈ {0, 1}, s = ±1: (log(1 + e^(−s·z)), −s·σ(−s·z)); P(class 1) = σ(z), both without
// overflow. CPU twin: src/core/losses/logistic.ts.
const LOSS_PROBABILISTIC = true;

fn sigmoid(v: f32) -> f32 {
  let e = exp(-abs(v));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
}

fn loss_eval(z: f32, t: f32) -> vec2<f32> {
  let s = select(-1.0, 1.0, t > 0.5);
  let v = -s * z;
  return vec2<f32>(max(v, 0.0) + log(1.0 + exp(-abs(v))), -s * sigmoid(v));
}

fn loss_link(z: f32) -> f32 { return sigmoid(z); }

// d²L/dz² (Newton's row weight): σ(z)(1 − σ(z)).
fn loss_d2z(z: f32, t: f32) -> f32 {
  let p = sigmoid(z);
  return p * (1.0 - p);
}
