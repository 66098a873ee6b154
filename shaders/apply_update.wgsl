// Sums a step's partial rows [first, first+count) into its totals and, when APPLY, updates every parameter column
// through the chain of links: the mean gradient g (clipped to ‖g‖ ≤ clip under CLIP, where one workgroup first finds
// the norm), ∂R/∂w added on weights, decoupled decay w ← w − lr·λ·w on weights (DECOUPLED, λ = hp.optim.w), the
// linked optimizer's rule, the penalty's proximal map on weights, and the running average (avg_rate).
// Columns: K·(DP4 + 1) parameter vec4s (per output DP4 weight vec4s, then (bias, 0, 0, 0)), then two of sums.
struct Params {
  first: u32,     // first partial row of the step
  count: u32,     // partial rows in the step
  step: u32,      // index in history where the batch loss goes
  fit_bias: u32,  // 1: update the biases
  lr: f32,
  scale: f32,     // 1 / rows in the batch
  c1: f32,        // the optimizer's bias corrections at this step (Adam: 1/(1 − β1^t), 1/(1 − β2^t))
  c2: f32,
  avg_rate: f32,  // > 0: average ← average + (w − average)·avg_rate
  clip: f32,      // CLIP: the largest gradient norm
  avg_base: u32,  // vec4 offset of the average in `model`
  pad: u32,
}
struct Hyper { loss: vec4<f32>, penalty: vec4<f32>, optim: vec4<f32> }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partials: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> model: array<vec4<f32>>;  // parameter columns; the average at avg_base
@group(0) @binding(3) var<storage, read_write> sums: array<vec4<f32>>;   // the step's totals
@group(0) @binding(4) var<storage, read_write> history: array<f32>;      // batch loss per step
@group(0) @binding(5) var<uniform> hp: Hyper;
@group(0) @binding(6) var<storage, read_write> state: array<vec4<f32>>;  // OPT_SLOTS vec4s per parameter column

override COLS: u32 = 32;   // vec4 columns per workgroup (per round under CLIP)
override GROUPS: u32 = 8;  // invocations sharing a column
override DP4: u32 = 16;
override K: u32 = 1;
override APPLY: bool = true;
override CLIP: bool = false;
override DECOUPLED: bool = false;
override OWN_PENALTY: bool = false; // the optimizer applies the penalty itself (FTRL-proximal)

var<workgroup> part: array<vec4<f32>, COLS * GROUPS>;

// The total of column c over the step's partial rows, in the invocations of group 0 (all must call it).
fn column_total(c: u32, lid: u32) -> vec4<f32> {
  let stride = K * (DP4 + 1u) + 2u;
  let grp = lid / COLS;
  var total = vec4<f32>(0.0);
  if (c < stride) {
    for (var g = grp; g < params.count; g += GROUPS) { total += partials[(params.first + g) * stride + c]; }
  }
  part[lid] = total;
  workgroupBarrier();
  if (grp == 0u) {
    for (var g = 1u; g < GROUPS; g++) { total += part[g * COLS + lid]; }
  }
  workgroupBarrier();
  return total;
}

fn is_weight(c: u32) -> bool { return c % (DP4 + 1u) < DP4; }

// Updates parameter column c from its mean gradient (times the clip factor), or records the loss.
fn apply(c: u32, mean: vec4<f32>, factor: f32) {
  let pc = K * (DP4 + 1u);
  if (c == pc) { history[params.step] = mean.x; }
  if (c >= pc || (!is_weight(c) && params.fit_bias == 0u)) { return; }
  var w = model[c];
  var g = mean * factor;
  if (is_weight(c) && !OWN_PENALTY) { g += penalty_grad(w); }
  if (DECOUPLED && is_weight(c)) { w -= params.lr * hp.optim.w * w; }
  w = opt_update(w, g, c, params.lr);
  if (is_weight(c) && !OWN_PENALTY) { w = penalty_prox(w, params.lr); }
  model[c] = w;
  if (params.avg_rate > 0.0) { model[params.avg_base + c] += (w - model[params.avg_base + c]) * params.avg_rate; }
}

@compute @workgroup_size(COLS * GROUPS)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let stride = K * (DP4 + 1u) + 2u;
  let first = lid < COLS;
  if (!CLIP) {
    let c = wid.x * COLS + lid % COLS;
    let total = column_total(c, lid);
    if (first && c < stride) {
      sums[c] = total;
      if (APPLY) { apply(c, total * params.scale, 1.0); }
    }
    return;
  }
  var sq = 0.0;
  for (var b = 0u; b < stride; b += COLS) {
    let c = b + lid;
    let total = column_total(b + lid % COLS, lid);
    if (first && c < stride) {
      sums[c] = total;
      let m = total * params.scale;
      if (c < K * (DP4 + 1u) && (is_weight(c) || params.fit_bias == 1u)) { sq += dot(m, m); }
    }
  }
  part[lid] = vec4<f32>(sq, 0.0, 0.0, 0.0);
  workgroupBarrier();
  for (var s = COLS * GROUPS / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { part[lid] += part[lid + s]; }
    workgroupBarrier();
  }
  let norm = sqrt(part[0].x);
  let factor = select(1.0, params.clip / norm, norm > params.clip);
  storageBarrier();
  for (var b = 0u; b < stride; b += COLS) {
    let c = b + lid;
    if (APPLY && first && c < stride) { apply(c, sums[c] * params.scale, factor); }
  }
}
