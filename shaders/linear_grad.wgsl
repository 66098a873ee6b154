// One-output pass: rows [start, start+count) of a chunk (permuted when SHUFFLE) are read once; z = x'·w + b, the
// linked loss's value and, training (GRAD), Σ dL/dz·x' or, evaluating, its metric sums are reduced in the workgroup
// to one partial row: DP4 gradient vec4s, (Σ dL/dz, 0, 0, 0), then two vec4s of sums. LANES invocations share a row.
// FUSED: each workgroup first applies the previous SGD step (parts/fused_prologue.wgsl), so a step is one dispatch.
// Linked parts choose the data encoding (x_f32 / x_f16: XWord, x_word) and the reductions (workgroup memory or subgroups);
// parts/row_values.wgsl reads y: rows with offsets add theirs to z, rows with sample weights weigh their terms (Σ w last).
struct Params {
  start: u32,        // first row of this piece, in the chunk's permuted order
  count: u32,        // rows in this piece
  rows: u32,         // rows in the chunk (the permutation's domain)
  span: u32,         // rows per workgroup, a multiple of WG / LANES
  key: u32,          // permutation key (SHUFFLE)
  half_bits: u32,    // Feistel half width: 4^half_bits ≥ rows
  partial_base: u32, // first partial row this dispatch writes
  y_shift: f32,      // subtracted from y in the metric sums (keeps R² accurate in f32)
  model_in: u32,     // vec4 offset of the weights read
  model_out: u32,    // FUSED: vec4 offset where workgroup 0 stores the updated weights
  fuse: u32,         // FUSED bits: 1 apply the previous step, 2 store the weights, 4 update the bias
  prev_base: u32,    // FUSED: first partial row of the previous step
  prev_count: u32,   // FUSED: its partial rows
  prev_step: u32,    // FUSED: its index in history
  prev_lr: f32,      // FUSED: its learning rate
  prev_inv_rows: f32, // FUSED: 1 / its rows
}
struct Hyper { loss: vec4<f32>, penalty: vec4<f32>, optim: vec4<f32> }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<XWord>;                  // DP4 words per row (the data part's)
@group(0) @binding(2) var<storage, read> y: array<f32>;                   // YS per row: target (weight, offset)
@group(0) @binding(3) var<storage, read_write> model: array<vec4<f32>>;    // DP4 weight vec4s, (bias, 0, 0, 0)
@group(0) @binding(4) var<storage, read_write> partials: array<vec4<f32>>; // PSTRIDE4 vec4s per workgroup
@group(0) @binding(5) var<storage, read> norm: array<vec4<f32>>;          // DP4 means, then DP4 inverse std devs
@group(0) @binding(6) var<storage, read_write> history: array<f32>;       // FUSED: batch loss per step
@group(0) @binding(7) var<uniform> hp: Hyper;                              // loss and penalty hyperparameters
@group(0) @binding(8) var<storage, read_write> confusion: array<atomic<u32>>; // CONFUSION: 2 × 2 class counts

override WG: u32 = 256;
override LANES: u32 = 4;   // invocations per row, a power of two dividing WG
override VPL: u32 = 4;     // vec4s per lane: LANES·VPL ≥ DP4, VPL ≤ MAX_VPL
override DP4: u32 = 16;    // padded features / 4
override GRAD: bool = true;
override SHUFFLE: bool = false;
override STANDARDIZE: bool = false;
override CONFUSION: bool = false;
override FUSED: bool = false;
override WM: u32 = 1u;     // FUSED: DP4 + 1 (the staged weights)
override PSTRIDE4: u32 = 19u; // DP4 + 3
override SG: u32 = 32u;    // subgroup variant: invocations per shuffle run, ≤ the subgroup size
const MAX_VPL: u32 = 16u;

var<workgroup> dots: array<f32, 2u * WG>;
var<workgroup> tree: array<vec4<f32>, WG>;
var<workgroup> wm: array<vec4<f32>, WM>;

fn weight(k: u32) -> vec4<f32> {
  if (FUSED) { return wm[k]; }
  return model[params.model_in + k];
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let lane = lid % LANES;
  let slot = lid / LANES;
  let slots = WG / LANES;
  let begin = wid.x * params.span;
  let end = min(begin + params.span, params.count);
  if (FUSED) { stage_weights(lid, wid.x == 0u); }
  let bias = weight(DP4).x;
  var acc: array<vec4<f32>, MAX_VPL>;
  var sa = vec4<f32>(0.0); // Σ dL/dz, Σ loss, Σ m.x, Σ m.y
  var sb = vec4<f32>(0.0); // Σ m.z, Σ m.w, Σ w
  var buf = 0u;
  for (var it = 0u; it < params.span / slots; it++) {
    let i = begin + it * slots + slot;
    let live = i < end;
    var row = params.start + i;
    if (SHUFFLE && live) { row = permute(row, params.rows, params.key, params.half_bits); }
    var xv: array<vec4<f32>, MAX_VPL>;
    var part = 0.0;
    if (live) {
      for (var j = 0u; j < VPL; j++) {
        let k = lane + j * LANES;
        if (k < DP4) {
          xv[j] = load_x(row, k);
          part += dot(xv[j], weight(k));
        }
      }
    }
    let z = bias + lane_sum(part, lid, buf);
    buf ^= 1u;
    if (live) {
      let t = row_target(row);
      var zr = z;
      if (OFFSETS) { zr += row_offset(row); }
      var le = loss_eval(zr, t);
      let wt = row_weight(row);
      if (SAMPLE_WEIGHTS) { le *= wt; }
      if (GRAD) {
        for (var j = 0u; j < VPL; j++) { acc[j] += le.y * xv[j]; }
      }
      if (lane == 0u && GRAD) { sa += vec4<f32>(le.y, le.x, 0.0, 0.0); }
      // The metric sums are for evaluation only: a training step needs Σ dL/dz and the loss (one lane's work).
      if (lane == 0u && !GRAD) {
        var m = loss_metrics(zr, t, params.y_shift);
        if (SAMPLE_WEIGHTS) { m *= wt; }
        sa += vec4<f32>(0.0, le.x, m.x, m.y);
        sb += vec4<f32>(m.z, m.w, select(0.0, wt, SAMPLE_WEIGHTS), 0.0);
        if (CONFUSION) { atomicAdd(&confusion[select(0u, 2u, t > 0.5) + loss_class(zr)], 1u); }
      }
    }
  }
  let out = (params.partial_base + wid.x) * PSTRIDE4;
  for (var j = 0u; j < VPL; j++) {
    var total = vec4<f32>(0.0);
    if (GRAD) { total = reduce_tree(acc[j], lid, LANES); }
    let k = lane + j * LANES;
    if (slot == 0u && k < DP4) { partials[out + k] = total; }
  }
  let ra = reduce_tree(sa, lid, LANES);
  var rb = vec4<f32>(0.0);
  if (!GRAD) { rb = reduce_tree(sb, lid, LANES); }
  if (lid == 0u) {
    partials[out + DP4] = vec4<f32>(ra.x, 0.0, 0.0, 0.0);
    partials[out + DP4 + 1u] = vec4<f32>(ra.y, ra.z, ra.w, rb.x);
    partials[out + DP4 + 2u] = vec4<f32>(rb.y, rb.z, 0.0, 0.0);
  }
}
