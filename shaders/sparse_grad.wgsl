// Forward pass of rows with a sparse block (one output): row i of a run [start, start+count) of a chunk (permuted when
// SHUFFLE) gets z = b + x'·w_dense + Σ val·w[DENSE + idx] (a gather per CSR entry) and out[i] = (loss, dL/dz, z, y)
// from the linked loss (z and y: evaluation's metrics, summed on the host). One invocation per row. The backward sums are shaders/sparse_scatter.wgsl. CPU twin: src/cpu/sparse_grad.ts.
struct Params {
  start: u32,     // first row of the run, in the chunk's permuted order
  count: u32,     // rows in the run
  rows: u32,      // rows in the chunk (the permutation's domain)
  key: u32,       // permutation key (SHUFFLE)
  half_bits: u32, // Feistel half width: 4^half_bits ≥ rows
  dense: u32,     // dense features D_dense (model[0, dense) are their weights)
  width: u32,     // sparse columns (model[dense, dense + width)); the bias follows
}
struct Hyper { loss: vec4<f32>, penalty: vec4<f32>, optim: vec4<f32> }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;        // DP4 vec4s per row (the store's layout)
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> ptr: array<u32>;            // rows + 1 entry offsets
@group(0) @binding(4) var<storage, read> idx: array<u32>;            // column; indicators: sign in bit 31
@group(0) @binding(5) var<storage, read> val: array<f32>;            // VALUED: the entries' values
@group(0) @binding(6) var<storage, read> model: array<f32>;          // dense weights, sparse weights, bias
@group(0) @binding(7) var<storage, read> norm: array<vec4<f32>>;     // DP4 means, DP4 inverse std devs
@group(0) @binding(8) var<uniform> hp: Hyper;
@group(0) @binding(9) var<storage, read_write> out: array<vec4<f32>>; // per run row: (loss, dL/dz, z, y)

override WG: u32 = 64;
override DP4: u32 = 1;
override SHUFFLE: bool = false;
override STANDARDIZE: bool = false;
override VALUED: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) { return; }
  var row = params.start + i;
  if (SHUFFLE) { row = permute(row, params.rows, params.key, params.half_bits); }
  var z = model[params.dense + params.width];
  for (var k = 0u; k < DP4; k++) {
    var v = x[row * DP4 + k];
    if (STANDARDIZE) { v = (v - norm[k]) * norm[DP4 + k]; }
    for (var c = 0u; c < 4u; c++) {
      let j = 4u * k + c;
      if (j < params.dense) { z += v[c] * model[j]; }
    }
  }
  for (var e = ptr[row]; e < ptr[row + 1u]; e++) {
    let ix = idx[e];
    if (VALUED) {
      z += val[e] * model[params.dense + ix];
    } else {
      let w = model[params.dense + (ix & 0x7fffffffu)];
      z += select(w, -w, (ix & 0x80000000u) != 0u);
    }
  }
  let t = y[row];
  let le = loss_eval(z, t);
  out[i] = vec4<f32>(le.x, le.y, z, t);
}
