// Backward sums of a sparse run without float atomics, for K outputs: the run's entries copied sorted by column
// (segments of the column-sorted copy, rows ascending within one). Invocation t < K·segments sums class t / segments
// over segment t % segments, Σ val·dL/dz_c in row order; the next K·DENSE sum the dense block's columns (class-major),
// the next K the biases (Σ dL/dz_c), and the last the loss over the run.
// sums: K × segments sparse sums, K × D_dense dense sums, K biases, loss. dz: the forward pass's out, STRIDE floats
// per run row with the loss first and dL/dz_c at DZ + c (shaders/sparse_grad.wgsl: (loss, dL/dz, z, y), K = 1;
// shaders/sparse_softmax.wgsl). CPU twin: src/cpu/sparse_grad.ts.
struct Params {
  start: u32,     // first row of the run, in the chunk's permuted order
  count: u32,     // rows in the run
  rows: u32,      // rows in the chunk (the permutation's domain)
  key: u32,       // permutation key (SHUFFLE)
  half_bits: u32, // Feistel half width: 4^half_bits ≥ rows
  dense: u32,     // dense features D_dense
  segments: u32,  // distinct sparse columns in the run
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;     // DP4 vec4s per row (the store's layout)
@group(0) @binding(2) var<storage, read> norm: array<vec4<f32>>;  // DP4 means, DP4 inverse std devs
@group(0) @binding(3) var<storage, read> seg: array<u32>;         // segments + 1 offsets into the entries
@group(0) @binding(4) var<storage, read> at: array<u32>;          // an entry's row position i in the run
@group(0) @binding(5) var<storage, read> ev: array<f32>;          // an entry's value
@group(0) @binding(6) var<storage, read> dz: array<f32>;          // STRIDE per run row (see above)
@group(0) @binding(7) var<storage, read_write> sums: array<f32>;  // K·(segments + dense + 1) + 1

override WG: u32 = 64;
override DP4: u32 = 1;
override SHUFFLE: bool = false;
override STANDARDIZE: bool = false;
override K: u32 = 1;
override STRIDE: u32 = 4;
override DZ: u32 = 1;

fn dense_value(i: u32, j: u32) -> f32 {
  var row = params.start + i;
  if (SHUFFLE) { row = permute(row, params.rows, params.key, params.half_bits); }
  let k = j / 4u;
  var v = x[row * DP4 + k];
  if (STANDARDIZE) { v = (v - norm[k]) * norm[DP4 + k]; }
  return v[j % 4u];
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x;
  let sparse = K * params.segments;
  let dense = K * params.dense;
  if (t >= sparse + dense + K + 1u) { return; }
  var s = 0.0;
  if (t < sparse) {
    let c = t / params.segments;
    let g = t % params.segments;
    for (var e = seg[g]; e < seg[g + 1u]; e++) { s += ev[e] * dz[at[e] * STRIDE + DZ + c]; }
  } else if (t < sparse + dense) {
    let c = (t - sparse) / params.dense;
    let j = (t - sparse) % params.dense;
    for (var i = 0u; i < params.count; i++) { s += dz[i * STRIDE + DZ + c] * dense_value(i, j); }
  } else if (t < sparse + dense + K) {
    let c = t - sparse - dense;
    for (var i = 0u; i < params.count; i++) { s += dz[i * STRIDE + DZ + c]; }
  } else {
    for (var i = 0u; i < params.count; i++) { s += dz[i * STRIDE]; }
  }
  sums[t] = s;
}
