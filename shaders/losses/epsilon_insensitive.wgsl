// ε-insensitive with ε = hp.loss.x: max(0, |e| − ε); dL/dz = sign(e) beyond ε. CPU twin: src/core/losses/epsilon_insensitive.ts.
fn loss_eval(z: f32, t: f32) -> vec2<f32> {
  let eps = hp.loss.x;
  let e = z - t;
  return vec2<f32>(max(0.0, abs(e) - eps), select(0.0, sign(e), abs(e) > eps));
}

fn loss_link(z: f32) -> f32 { return z; }
