// Hinge loss for t ∈ {0, 1}, s = ±1: (max(0, 1 − s·z), −s where s·z < 1). No probabilities.
// CPU twin: src/core/losses/hinge.ts.
const LOSS_PROBABILISTIC = false;

fn loss_eval(z: f32, t: f32) -> vec2<f32> {
  let s = select(-1.0, 1.0, t > 0.5);
  let m = s * z;
  return vec2<f32>(max(0.0, 1.0 - m), select(0.0, -s, m < 1.0));
}

fn loss_link(z: f32) -> f32 { return 0.0; }
