// Plain SGD: w − lr·g. CPU twin: src/core/optim/sgd.ts.
const OPT_SLOTS: u32 = 0u;

fn opt_update(w: vec4<f32>, g: vec4<f32>, c: u32, lr: f32) -> vec4<f32> { return w - lr * g; }
