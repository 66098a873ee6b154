// Workgroup tree reduction over the kernel's `tree` (WG vec4s): sums v over invocations that are equal modulo
// `stop` (a power of two: LANES to keep lanes apart, 1 for everything) into the first `stop` invocations.
// Every invocation of the workgroup must call it.
fn reduce_tree(v: vec4<f32>, lid: u32, stop: u32) -> vec4<f32> {
  tree[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s >= stop; s >>= 1u) {
    if (lid < s) { tree[lid] += tree[lid + s]; }
    workgroupBarrier();
  }
  let out = tree[lid];
  workgroupBarrier();
  return out;
}
