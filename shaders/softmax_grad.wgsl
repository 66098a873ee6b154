// K-output pass (multiclass): rows [start, start+count) of a chunk (permuted when SHUFFLE) in tiles of TILE rows:
// z_c = x'·W_c + b_c for the tile, the linked loss per row (softmax_row), then each invocation adds its CPI
// gradient columns Σ dL/dz_c·x' over the tile. Workgroup (i, j) handles row span i and column block j; one partial
// row per span: K·(DP4 + 1) columns (class c: DP4 weight vec4s, then its bias), then two vec4s of sums (Σ w of rows with
// sample weights, which scale their row's terms, at the second's y; parts/row_values.wgsl reads y).
struct Params {
  start: u32,
  count: u32,
  rows: u32,
  span: u32,         // rows per workgroup, a multiple of TILE
  key: u32,
  half_bits: u32,
  partial_base: u32,
  y_shift: f32,
  model_in: u32,
  model_out: u32,
  fuse: u32,
  prev_base: u32,
  prev_count: u32,
  prev_step: u32,
  prev_lr: f32,
  prev_inv_rows: f32,
}
struct Hyper { loss: vec4<f32>, penalty: vec4<f32>, optim: vec4<f32> }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<XWord>;                  // DP4 words per row (the data part's)
@group(0) @binding(2) var<storage, read> y: array<f32>;                   // YS per row: class index 0..K−1 (weight)
@group(0) @binding(3) var<storage, read_write> model: array<vec4<f32>>;    // K × (DP4 weight vec4s, (bias, 0, 0, 0))
@group(0) @binding(4) var<storage, read_write> partials: array<vec4<f32>>; // K·(DP4 + 1) + 2 vec4s per span
@group(0) @binding(5) var<storage, read> norm: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> history: array<f32>;
@group(0) @binding(7) var<uniform> hp: Hyper;
@group(0) @binding(8) var<storage, read_write> confusion: array<atomic<u32>>; // CONFUSION: K × K class counts

override WG: u32 = 256;
override K: u32 = 2;
override DP4: u32 = 16;
override TILE: u32 = 64;   // rows per tile; TILE·K ≤ 2048
override CPI: u32 = 1;     // gradient columns per invocation, ≤ MAX_CPI
override GRAD: bool = true;
override SHUFFLE: bool = false;
override STANDARDIZE: bool = false;
override CONFUSION: bool = false;
override SG: u32 = 32u;    // subgroup variant: invocations per shuffle run, ≤ the subgroup size
const MAX_CPI: u32 = 8u;
const NONE: u32 = 0xffffffffu;

var<workgroup> zs: array<f32, TILE * K>;
var<workgroup> tile_rows: array<u32, TILE>;
var<workgroup> tree: array<vec4<f32>, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let cols = K * (DP4 + 1u);
  let begin = wid.x * params.span;
  let end = min(begin + params.span, params.count);
  var acc: array<vec4<f32>, MAX_CPI>;
  var sums = vec4<f32>(0.0);
  for (var t0 = begin; t0 < end; t0 += TILE) {
    if (lid < TILE) {
      var row = NONE;
      if (t0 + lid < end) {
        row = params.start + t0 + lid;
        if (SHUFFLE) { row = permute(row, params.rows, params.key, params.half_bits); }
      }
      tile_rows[lid] = row;
    }
    workgroupBarrier();
    for (var p = lid; p < TILE * K; p += WG) {
      let row = tile_rows[p / K];
      let w0 = params.model_in + (p % K) * (DP4 + 1u);
      var z = 0.0;
      if (row != NONE) {
        z = model[w0 + DP4].x;
        for (var k = 0u; k < DP4; k++) { z += dot(load_x(row, k), model[w0 + k]); }
      }
      zs[p] = z;
    }
    workgroupBarrier();
    if (lid < TILE && tile_rows[lid] != NONE) {
      let row = tile_rows[lid];
      var r = softmax_row(lid * K, u32(row_target(row)));
      if (SAMPLE_WEIGHTS) {
        let wt = row_weight(row);
        for (var c = 0u; c < K; c++) { zs[lid * K + c] *= wt; }
        r = vec4<f32>(r.xyz * wt, wt);
      }
      sums += r;
    }
    workgroupBarrier();
    for (var j = 0u; j < CPI && GRAD; j++) {
      let q = (wid.y * CPI + j) * WG + lid;
      if (q < cols) {
        let c = q / (DP4 + 1u);
        let k = q % (DP4 + 1u);
        for (var r = 0u; r < TILE && tile_rows[r] != NONE; r++) {
          var xv = vec4<f32>(1.0, 0.0, 0.0, 0.0);
          if (k < DP4) { xv = load_x(tile_rows[r], k); }
          acc[j] += zs[r * K + c] * xv;
        }
      }
    }
    workgroupBarrier();
  }
  let out = (params.partial_base + wid.x) * (cols + 2u);
  for (var j = 0u; j < CPI; j++) {
    let q = (wid.y * CPI + j) * WG + lid;
    if (q < cols) { partials[out + q] = select(vec4<f32>(0.0), acc[j], GRAD); }
  }
  let s = reduce_tree(sums, lid, 1u);
  if (wid.y == 0u && lid == 0u) {
    partials[out + cols] = vec4<f32>(s.xyz, 0.0);
    partials[out + cols + 1u] = vec4<f32>(0.0, s.w, 0.0, 0.0);
  }
}
