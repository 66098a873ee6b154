// Pinball loss with τ = hp.loss.x: τ(t − z) when t ≥ z, else (1 − τ)(z − t); dL/dz = −τ or 1 − τ.
// CPU twin: src/core/losses/quantile.ts.
fn loss_eval(z: f32, t: f32) -> vec2<f32> {
  let tau = hp.loss.x;
  let r = t - z;
  return vec2<f32>(select((tau - 1.0) * r, tau * r, r >= 0.0), select(1.0 - tau, -tau, t >= z));
}

fn loss_link(z: f32) -> f32 { return z; }
