// Tweedie with the log link, power p = hp.loss.x in (1, 2): (−t·μ^(1−p)/(1−p) + μ^(2−p)/(2−p), μ^(2−p) − t·μ^(1−p)),
// μ = exp(z); predictions exp(z). CPU twin: src/core/losses/tweedie.ts.
fn loss_eval(z: f32, t: f32) -> vec2<f32> {
  let p = hp.loss.x;
  let a = exp((1.0 - p) * z);
  let b = exp((2.0 - p) * z);
  return vec2<f32>(-t * a / (1.0 - p) + b / (2.0 - p), b - t * a);
}

fn loss_link(z: f32) -> f32 { return exp(z); }

// d²L/dz² (Newton's row weight).
fn loss_d2z(z: f32, t: f32) -> f32 {
  let p = hp.loss.x;
  return (2.0 - p) * exp((2.0 - p) * z) - t * (1.0 - p) * exp((1.0 - p) * z);
}
