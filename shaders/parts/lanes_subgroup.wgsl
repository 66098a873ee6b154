// Subgroup variant of lanes.wgsl (same contract): a butterfly of subgroupShuffleXor sums v over a row's lanes with
// no workgroup memory and no barrier when LANES ≤ SG; wider rows add their runs of SG lanes through `dots`.
// Needs SG ≤ the subgroup size and subgroups that are aligned runs of local_invocation_index (src/gpu/subgroups.ts).
fn lane_sum(v: f32, lid: u32, buf: u32) -> f32 {
  var s = v;
  for (var m = 1u; m < min(LANES, SG); m <<= 1u) { s += subgroupShuffleXor(s, m); }
  if (LANES <= SG) { return s; }
  dots[buf * WG + lid] = s;
  workgroupBarrier();
  let first = buf * WG + lid / LANES * LANES;
  var t = 0.0;
  for (var r = 0u; r < LANES; r += SG) { t += dots[first + r]; }
  return t;
}
