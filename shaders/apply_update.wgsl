// Sums the partial rows [first, first+count) of a gradient pass into the step's sums (PSTRIDE4 vec4s) and, when
// APPLY, takes the SGD step with the linked penalty (parts/sgd_step.wgsl) on every weight column, updates the
// biases when fit_bias, and records the batch loss. Columns: K·(DP4 + 1) parameter vec4s, then two of sums.
// Invocation (c, g) of a workgroup adds partial rows g, g+GROUPS, … of vec4 column c; the groups then combine.
struct Params {
  first: u32,     // first partial row of the step
  count: u32,     // partial rows in the step
  step: u32,      // index in history where the batch loss goes
  fit_bias: u32,  // 1: update the biases
  lr: f32,
  scale: f32,     // 1 / rows in the batch
}
struct Hyper { loss: vec4<f32>, penalty: vec4<f32> }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partials: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> model: array<vec4<f32>>;  // K × (DP4 weight vec4s, (bias, 0, 0, 0))
@group(0) @binding(3) var<storage, read_write> sums: array<vec4<f32>>;   // PSTRIDE4 vec4s: the step's totals
@group(0) @binding(4) var<storage, read_write> history: array<f32>;      // batch loss per step
@group(0) @binding(5) var<uniform> hp: Hyper;

override COLS: u32 = 32;   // vec4 columns per workgroup
override GROUPS: u32 = 8;  // invocations sharing a column
override DP4: u32 = 16;
override K: u32 = 1;
override APPLY: bool = true;

var<workgroup> part: array<vec4<f32>, COLS * GROUPS>;

@compute @workgroup_size(COLS * GROUPS)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let params_cols = K * (DP4 + 1u);
  let stride = params_cols + 2u;
  let c = wid.x * COLS + lid % COLS;
  let grp = lid / COLS;
  var total = vec4<f32>(0.0);
  if (c < stride) {
    for (var g = grp; g < params.count; g += GROUPS) {
      total += partials[(params.first + g) * stride + c];
    }
  }
  part[lid] = total;
  workgroupBarrier();
  if (grp != 0u || c >= stride) { return; }
  for (var g = 1u; g < GROUPS; g++) { total += part[g * COLS + lid]; }
  sums[c] = total;
  if (!APPLY) { return; }
  let mean = total * params.scale;
  if (c < params_cols) {
    if (c % (DP4 + 1u) < DP4) {
      model[c] = sgd_weights(model[c], mean, params.lr);
    } else if (params.fit_bias == 1u) {
      model[c].x -= params.lr * mean.x;
    }
  } else if (c == params_cols) {
    history[params.step] = mean.x;
  }
}
