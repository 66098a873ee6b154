// Newton's row weights: for rows [start, start + count) of a chunk, z = x'·w + b (x' standardized when STANDARDIZE)
// and out[i] = √(d²L/dz²(z, y)) from the linked loss part, so the weighted Gram of the rows is Σ d²L/dz²·x̃x̃ᵀ.
// One invocation per row; the model is one output's DP4 weight vec4s, then (bias, 0, 0, 0).
struct Params {
  start: u32,
  count: u32,
  _pad0: u32,
  _pad1: u32,
}
struct Hyper { loss: vec4<f32>, penalty: vec4<f32>, optim: vec4<f32> }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<XWord>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> model: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> norm: array<vec4<f32>>;
@group(0) @binding(5) var<uniform> hp: Hyper;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;

override WG: u32 = 64;
override DP4: u32 = 16;
override STANDARDIZE: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) { return; }
  let row = params.start + i;
  var z = model[DP4].x;
  for (var k = 0u; k < DP4; k++) { z += dot(load_x(row, k), model[k]); }
  out[i] = sqrt(max(0.0, loss_d2z(z, y[row])));
}
