// L2: ∂/∂w of l2/2·‖w‖² = l2·w with l2 = hp.penalty.x, taken in the gradient. CPU twin: src/core/penalties/l2.ts.
fn penalty_grad(w: vec4<f32>) -> vec4<f32> { return hp.penalty.x * w; }

fn penalty_prox(w: vec4<f32>, lr: f32) -> vec4<f32> { return w; }
