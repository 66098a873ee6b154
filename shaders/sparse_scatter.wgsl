// Backward sums of a sparse run without float atomics: the run's entries copied sorted by column (segments of the
// column-sorted copy, rows ascending within one), invocation t < segments sums its segment Σ val·dL/dz in row order;
// the next DENSE + 2 invocations sum the dense block's column t − segments, the bias (Σ dL/dz) and the loss over the run.
// sums: segments sparse sums, D_dense dense sums, bias, loss. dz: shaders/sparse_grad.wgsl's out. CPU twin: src/cpu/sparse_grad.ts.
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
@group(0) @binding(6) var<storage, read> dz: array<vec4<f32>>;    // per run row: (loss, dL/dz, z, y)
@group(0) @binding(7) var<storage, read_write> sums: array<f32>;  // segments + dense + 2

override WG: u32 = 64;
override DP4: u32 = 1;
override SHUFFLE: bool = false;
override STANDARDIZE: bool = false;

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
  if (t >= params.segments + params.dense + 2u) { return; }
  var s = 0.0;
  if (t < params.segments) {
    for (var e = seg[t]; e < seg[t + 1u]; e++) { s += ev[e] * dz[at[e]].y; }
  } else {
    let j = t - params.segments;
    for (var i = 0u; i < params.count; i++) {
      if (j < params.dense) { s += dz[i].y * dense_value(i, j); }
      else if (j == params.dense) { s += dz[i].y; }
      else { s += dz[i].x; }
    }
  }
  sums[t] = s;
}
