// What the sparse forward kernels share (shaders/sparse_grad.wgsl: one output; sparse_softmax.wgsl: K): the run's
// parameters and bindings, and z = b + x'·w[w0, w0 + dense) + Σ val·w[w0 + dense + idx] of one row (a gather per CSR
// entry; the dense block standardized when STANDARDIZE). The model is K rows of dense + width weights, then K biases.
struct Params {
  start: u32,     // first row of the run, in the chunk's permuted order
  count: u32,     // rows in the run
  rows: u32,      // rows in the chunk (the permutation's domain)
  key: u32,       // permutation key (SHUFFLE)
  half_bits: u32, // Feistel half width: 4^half_bits ≥ rows
  dense: u32,     // dense features D_dense (a class's first weights)
  width: u32,     // sparse columns (the class's next weights)
}
struct Hyper { loss: vec4<f32>, penalty: vec4<f32>, optim: vec4<f32> }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;        // DP4 vec4s per row (the store's layout)
@group(0) @binding(2) var<storage, read> y: array<f32>;              // target (a class index for K outputs)
@group(0) @binding(3) var<storage, read> ptr: array<u32>;            // rows + 1 entry offsets
@group(0) @binding(4) var<storage, read> idx: array<u32>;            // column; indicators: sign in bit 31
@group(0) @binding(5) var<storage, read> val: array<f32>;            // VALUED: the entries' values
@group(0) @binding(6) var<storage, read> model: array<f32>;          // K × (dense + width) weights, then K biases
@group(0) @binding(7) var<storage, read> norm: array<vec4<f32>>;     // DP4 means, DP4 inverse std devs
@group(0) @binding(8) var<uniform> hp: Hyper;

override WG: u32 = 64;
override DP4: u32 = 1;
override SHUFFLE: bool = false;
override STANDARDIZE: bool = false;
override VALUED: bool = false;

/** The chunk row of run position i. */
fn sparse_row(i: u32) -> u32 {
  var row = params.start + i;
  if (SHUFFLE) { row = permute(row, params.rows, params.key, params.half_bits); }
  return row;
}

/** One output of a row: bias b plus the weights from model[w0] (dense block, then sparse block) times the row. */
fn sparse_z(row: u32, w0: u32, b: f32) -> f32 {
  var z = b;
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
  return z;
}
