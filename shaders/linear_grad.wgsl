// Fused linear-model pass: rows [start, start+count) of one chunk (through a keyed Feistel permutation when
// SHUFFLE) are read once; ŷ = x'·w + b with x' = x or (x − mean)·inv_std (STANDARDIZE), the loss, metric sums
// and (GRAD) Σ dL/dŷ·x' are reduced in the workgroup. x: rows × DP4 vec4 (zero-padded); LANES invocations
// share a row; one partial row per workgroup. FUSED: each workgroup first applies the previous SGD step
// (summing that step's partial rows) to get this step's weights, so a step is one dispatch, not two.
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
  prev_scale: f32,   // FUSED: its lr / rows
  prev_loss_scale: f32, // FUSED: its 1 / rows
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> model: array<vec4<f32>>; // DP4 weight vec4s, (bias, 0, 0, 0)
@group(0) @binding(4) var<storage, read_write> partials: array<vec4<f32>>; // PSTRIDE4 vec4s per workgroup
@group(0) @binding(5) var<storage, read> norm: array<vec4<f32>>;         // DP4 means, then DP4 inverse std devs
@group(0) @binding(6) var<storage, read_write> history: array<f32>;      // FUSED: batch loss per step

override WG: u32 = 256;
override LANES: u32 = 4;   // invocations per row, a power of two dividing WG
override VPL: u32 = 4;     // vec4s per lane: LANES·VPL ≥ DP4, VPL ≤ MAX_VPL
override DP4: u32 = 16;    // padded features / 4
override GRAD: bool = true;
override SHUFFLE: bool = false;
override STANDARDIZE: bool = false;
override FUSED: bool = false;
override WM: u32 = 1u;      // FUSED: DP4 + 1 (the staged weights)
const MAX_VPL: u32 = 16u;
const PSTRIDE4_EXTRA: u32 = 2u; // (Σg, Σloss, Σ|e|, Σy') and (Σy'², 0, 0, 0) after the gradient

var<workgroup> dots: array<f32, 2u * WG>;
var<workgroup> tree: array<vec4<f32>, WG>;
var<workgroup> wm: array<vec4<f32>, WM>;

fn mix32(v: u32) -> u32 {
  var h = v;
  h ^= h >> 16u; h *= 0x7feb352du; h ^= h >> 15u; h *= 0x846ca68bu; h ^= h >> 16u;
  return h;
}

fn permute(i: u32) -> u32 {
  let hb = params.half_bits;
  let mask = (1u << hb) - 1u;
  var v = i;
  loop {
    var l = v >> hb;
    var r = v & mask;
    for (var rd = 0u; rd < 4u; rd++) {
      let t = r;
      r = l ^ (mix32(r ^ (params.key + rd * 0x9e3779b9u)) & mask);
      l = t;
    }
    v = (l << hb) | r;
    if (v < params.rows) { break; }
  }
  return v;
}

fn weight(k: u32) -> vec4<f32> {
  if (FUSED) { return wm[k]; }
  return model[params.model_in + k];
}

// FUSED prologue: w = w_prev − prev_scale·Σ previous partials, column blocks of nc, ng invocations per column.
fn stage_weights(lid: u32, first: bool) {
  let nc = min(DP4 + 1u, WG);
  let ng = WG / nc;
  let g = lid / nc;
  let apply = (params.fuse & 1u) != 0u;
  for (var c0 = 0u; c0 < DP4 + 1u; c0 += nc) {
    let c = c0 + lid % nc;
    var s = vec4<f32>(0.0);
    if (apply && g < ng && c < DP4 + 1u) {
      for (var r = g; r < params.prev_count; r += ng) { s += partials[(params.prev_base + r) * (DP4 + PSTRIDE4_EXTRA) + c]; }
    }
    tree[lid] = s;
    workgroupBarrier();
    if (g == 0u && c < DP4 + 1u) {
      for (var j = 1u; j < ng; j++) { s += tree[j * nc + lid]; }
      var m = model[params.model_in + c];
      if (apply && c < DP4) { m -= params.prev_scale * s; }
      if (apply && c == DP4) {
        if ((params.fuse & 4u) != 0u) { m.x -= params.prev_scale * s.x; }
        if (first) { history[params.prev_step] = s.y * params.prev_loss_scale; }
      }
      wm[c] = m;
      if (first && (params.fuse & 2u) != 0u) { model[params.model_out + c] = m; }
    }
    workgroupBarrier();
  }
}

// Sums `v` over the WG / LANES row slots of this lane into slot 0 (all invocations must call it).
fn reduce_slots(v: vec4<f32>, lid: u32) -> vec4<f32> {
  tree[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s >= LANES; s >>= 1u) {
    if (lid < s) { tree[lid] += tree[lid + s]; }
    workgroupBarrier();
  }
  let out = tree[lid];
  workgroupBarrier();
  return out;
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
  var sums = vec4<f32>(0.0);  // Σg, Σloss, Σ|e|, Σy'
  var syy = 0.0;
  var buf = 0u;
  for (var it = 0u; it < params.span / slots; it++) {
    let i = begin + it * slots + slot;
    let live = i < end;
    var row = params.start + i;
    if (SHUFFLE && live) { row = permute(row); }
    var xv: array<vec4<f32>, MAX_VPL>;
    var part = 0.0;
    if (live) {
      for (var j = 0u; j < VPL; j++) {
        let k = lane + j * LANES;
        if (k < DP4) {
          var v = x[row * DP4 + k];
          if (STANDARDIZE) { v = (v - norm[k]) * norm[DP4 + k]; }
          xv[j] = v;
          part += dot(v, weight(k));
        }
      }
    }
    dots[buf * WG + lid] = part;
    workgroupBarrier();
    var pred = bias;
    for (var l = 0u; l < LANES; l++) { pred += dots[buf * WG + slot * LANES + l]; }
    buf ^= 1u;
    if (live) {
      let t = y[row];
      let e = pred - t;
      let g = 2.0 * e;  // dL/dŷ of the squared error
      let loss = e * e;
      if (GRAD) {
        for (var j = 0u; j < VPL; j++) { acc[j] += g * xv[j]; }
      }
      if (lane == 0u) {
        let ys = t - params.y_shift;
        sums += vec4<f32>(select(0.0, g, GRAD), loss, abs(e), ys);
        syy += ys * ys;
      }
    }
  }
  let out = (params.partial_base + wid.x) * (DP4 + PSTRIDE4_EXTRA);
  if (GRAD) {
    for (var j = 0u; j < VPL; j++) {
      let total = reduce_slots(acc[j], lid);
      let k = lane + j * LANES;
      if (slot == 0u && k < DP4) { partials[out + k] = total; }
    }
  } else if (slot == 0u) {
    for (var j = 0u; j < VPL; j++) {
      let k = lane + j * LANES;
      if (k < DP4) { partials[out + k] = vec4<f32>(0.0); }
    }
  }
  let s0 = reduce_slots(sums, lid);
  let s1 = reduce_slots(vec4<f32>(syy, 0.0, 0.0, 0.0), lid);
  if (lid == 0u) {
    partials[out + DP4] = s0;
    partials[out + DP4 + 1u] = s1;
  }
}
