// Forward pass of rows with a sparse block for a K-output (multiclass) loss: row i of a run [start, start+count) of a
// chunk (permuted when SHUFFLE) gets z_c = b_c + x'·W_c[0, dense) + Σ val·W_c[dense + idx] for each class c (a gather
// per CSR entry and class), then the linked loss (softmax_row, shaders/losses/softmax.wgsl) turns them into dL/dz_c.
// out holds STRIDE = 2 + 2K floats per run row: (loss, y, dL/dz_0 … dL/dz_{K−1}, z_0 … z_{K−1}); the backward sums
// are shaders/sparse_scatter.wgsl (K classes), the z's evaluation's (summed on the host). The model is K rows of
// dense + width weights, then the K biases. One invocation per row. CPU twin: src/cpu/sparse_grad.ts.
struct Params {
  start: u32,     // first row of the run, in the chunk's permuted order
  count: u32,     // rows in the run
  rows: u32,      // rows in the chunk (the permutation's domain)
  key: u32,       // permutation key (SHUFFLE)
  half_bits: u32, // Feistel half width: 4^half_bits ≥ rows
  dense: u32,     // dense features D_dense (W_c[0, dense) are their weights)
  width: u32,     // sparse columns (W_c[dense, dense + width))
}
struct Hyper { loss: vec4<f32>, penalty: vec4<f32>, optim: vec4<f32> }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;        // DP4 vec4s per row (the store's layout)
@group(0) @binding(2) var<storage, read> y: array<f32>;              // class index 0..K−1
@group(0) @binding(3) var<storage, read> ptr: array<u32>;            // rows + 1 entry offsets
@group(0) @binding(4) var<storage, read> idx: array<u32>;            // column; indicators: sign in bit 31
@group(0) @binding(5) var<storage, read> val: array<f32>;            // VALUED: the entries' values
@group(0) @binding(6) var<storage, read> model: array<f32>;          // K × (dense + width) weights, then K biases
@group(0) @binding(7) var<storage, read> norm: array<vec4<f32>>;     // DP4 means, DP4 inverse std devs
@group(0) @binding(8) var<uniform> hp: Hyper;
@group(0) @binding(9) var<storage, read_write> zs: array<f32>;       // STRIDE per run row (see above)

override WG: u32 = 64;
override DP4: u32 = 1;
override SHUFFLE: bool = false;
override STANDARDIZE: bool = false;
override VALUED: bool = false;
override K: u32 = 2;
// The loss part counts a confusion matrix when asked; evaluation here counts it on the host from the z's.
override CONFUSION: bool = false;
var<workgroup> confusion: array<atomic<u32>, 1>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) { return; }
  var row = params.start + i;
  if (SHUFFLE) { row = permute(row, params.rows, params.key, params.half_bits); }
  let d = params.dense + params.width;
  let base = i * (2u + 2u * K);
  for (var c = 0u; c < K; c++) {
    let w0 = c * d;
    var z = model[K * d + c];
    for (var k = 0u; k < DP4; k++) {
      var v = x[row * DP4 + k];
      if (STANDARDIZE) { v = (v - norm[k]) * norm[DP4 + k]; }
      for (var q = 0u; q < 4u; q++) {
        let j = 4u * k + q;
        if (j < params.dense) { z += v[q] * model[w0 + j]; }
      }
    }
    for (var e = ptr[row]; e < ptr[row + 1u]; e++) {
      let ix = idx[e];
      if (VALUED) {
        z += val[e] * model[w0 + params.dense + ix];
      } else {
        let w = model[w0 + params.dense + (ix & 0x7fffffffu)];
        z += select(w, -w, (ix & 0x80000000u) != 0u);
      }
    }
    zs[base + 2u + c] = z;
    zs[base + 2u + K + c] = z;
  }
  let t = y[row];
  let r = softmax_row(base + 2u, u32(t));
  zs[base] = r.x;
  zs[base + 1u] = t;
}
