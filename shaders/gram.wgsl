// Gram partials ZᵀZ of the shifted, augmented rows z = (x − shift, (y − y_shift, 1, 0, 0)) of rows [start, start+count)
// of a chunk: Z4 = DP4 + 1 vec4 columns, the upper triangle as 4 × 4 tiles. Workgroup (gx, gy) reads SPAN rows from
// gx·SPAN in batches of RB rows staged in workgroup memory; invocation i owns tiles gy·TPI·WG + t·WG + i (t < TPI).
// Each batch is summed in f32 registers, then added to the running sum with Kahan's compensation (so the error does
// not grow with SPAN); the workgroup writes sum and compensation per tile. The host adds the partials in f64.
struct Params {
  start: u32,        // first row of this piece in the chunk
  count: u32,        // rows in this piece
  span: u32,         // rows per workgroup (along x)
  tiles: u32,        // tiles of the upper triangle: Z4·(Z4 + 1)/2
  partial_base: u32, // first partial this dispatch writes
  y_shift: f32,      // subtracted from y
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;            // DP4 vec4s per row (zero-padded)
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> shift: array<vec4<f32>>;        // DP4 vec4s (padding 0)
@group(0) @binding(4) var<storage, read> pairs: array<vec2<u32>>;        // tile t → (a, b), a ≤ b
@group(0) @binding(5) var<storage, read_write> partials: array<mat4x4<f32>>; // per partial: tiles sums, then tiles compensations

override WG: u32 = 64;
override TPI: u32 = 4;   // tiles per invocation, ≤ MAX_TPI
override DP4: u32 = 16;  // padded features / 4
override Z4: u32 = 17;   // DP4 + 1
override RB: u32 = 16;   // rows per staged batch
const MAX_TPI: u32 = 4u;

var<workgroup> rowbuf: array<vec4<f32>, RB * Z4>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let first = group.x * params.span;
  let last = min(first + params.span, params.count);
  let tile0 = group.y * TPI * WG + li;
  var sum: array<mat4x4<f32>, MAX_TPI>;
  var comp: array<mat4x4<f32>, MAX_TPI>;
  var ab: array<vec2<u32>, MAX_TPI>;
  for (var t = 0u; t < TPI; t++) {
    let idx = tile0 + t * WG;
    ab[t] = select(vec2<u32>(0u, 0u), pairs[min(idx, params.tiles - 1u)], idx < params.tiles);
  }
  for (var r0 = first; r0 < last; r0 += RB) {
    for (var k = li; k < RB * Z4; k += WG) {
      let row = r0 + k / Z4;
      let c = k % Z4;
      var v = vec4<f32>(0.0);
      if (row < last) {
        let at = params.start + row;
        if (c < DP4) {
          v = x[at * DP4 + c] - shift[c];
        } else {
          v = vec4<f32>(y[at] - params.y_shift, 1.0, 0.0, 0.0);
        }
      }
      rowbuf[k] = v;
    }
    workgroupBarrier();
    for (var t = 0u; t < TPI; t++) {
      let a = ab[t].x;
      let b = ab[t].y;
      var batch = mat4x4<f32>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
      for (var r = 0u; r < RB; r++) {
        let za = rowbuf[r * Z4 + a];
        let zb = rowbuf[r * Z4 + b];
        batch += mat4x4<f32>(za * zb.x, za * zb.y, za * zb.z, za * zb.w);
      }
      // Kahan: s + (batch − c), keeping what the addition rounded away.
      let yv = batch - comp[t];
      let s = sum[t] + yv;
      comp[t] = (s - sum[t]) - yv;
      sum[t] = s;
    }
    workgroupBarrier();
  }
  let base = (params.partial_base + group.x) * 2u * params.tiles;
  for (var t = 0u; t < TPI; t++) {
    let idx = tile0 + t * WG;
    if (idx < params.tiles) {
      partials[base + idx] = sum[t];
      partials[base + params.tiles + idx] = comp[t];
    }
  }
}
