// Subgroup variant of reduce.wgsl (same contract, result in the first `stop` invocations): a butterfly of
// subgroupShuffleXor sums v over the invocations equal modulo `stop` within each run of max(stop, SG) invocations,
// then the WG / run partial sums per lane meet in `tree` (one barrier instead of log2(WG / stop)). Needs SG ≤ the
// subgroup size, both powers of two dividing WG, and subgroups that are aligned runs of local_invocation_index
// (checked per adapter: src/gpu/subgroups.ts). Every invocation of the workgroup must call it.
fn reduce_tree(v: vec4<f32>, lid: u32, stop: u32) -> vec4<f32> {
  var s = v;
  for (var m = stop; m < SG; m <<= 1u) { s += subgroupShuffleXor(s, m); }
  let run = max(stop, SG);
  if (lid % run < stop) { tree[lid / run * stop + lid % run] = s; }
  workgroupBarrier();
  var out = vec4<f32>(0.0);
  if (lid < stop) {
    for (var r = 0u; r < WG / run; r++) { out += tree[r * stop + lid]; }
  }
  workgroupBarrier();
  return out;
}
