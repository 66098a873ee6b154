// No penalty. CPU twin: src/core/penalties/none.ts.
fn penalty_grad(w: vec4<f32>) -> vec4<f32> { return vec4<f32>(0.0); }

fn penalty_prox(w: vec4<f32>, lr: f32) -> vec4<f32> { return w; }
