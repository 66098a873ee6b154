// The device's read ceiling: a plain read-reduction of a buffer of vec4s, the least work a pass over X can do.
// Shapes: x holds n4 vec4s; partials one vec4 per workgroup. Workgroup g sums vec4s [g·span, (g+1)·span) of x;
// one invocation adds every WG-th vec4 of that span (four loads in flight), then a tree sums the workgroup.
struct Params {
  n4: u32,   // vec4s in x
  span: u32, // vec4s per workgroup
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> partials: array<vec4<f32>>;

override WG: u32 = 256;

var<workgroup> tree: array<vec4<f32>, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let start = wg.x * params.span;
  let end = min(start + params.span, params.n4);
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  var i = start + li;
  for (; i + 3u * WG < end; i += 4u * WG) {
    a0 += x[i];
    a1 += x[i + WG];
    a2 += x[i + 2u * WG];
    a3 += x[i + 3u * WG];
  }
  for (; i < end; i += WG) {
    a0 += x[i];
  }
  tree[li] = (a0 + a1) + (a2 + a3);
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (li < s) {
      tree[li] += tree[li + s];
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    partials[wg.x] = tree[0];
  }
}
