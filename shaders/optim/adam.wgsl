// Adam: w − lr·m̂/(√v̂ + ε) (parts/adam_moments.wgsl). CPU twin: src/core/optim/adam.ts.
const OPT_SLOTS: u32 = 2u;

fn opt_update(w: vec4<f32>, g: vec4<f32>, c: u32, lr: f32, weight: bool) -> vec4<f32> { return w - lr * adam_step(g, c); }
