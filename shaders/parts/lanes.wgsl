// The sum of v over the LANES invocations that share a row (linear_grad), through workgroup memory: each writes
// its value into half `buf` of `dots` (the caller alternates halves, so one barrier per call suffices), then every
// lane adds its row's LANES values in lane order. Every invocation of the workgroup must call it.
fn lane_sum(v: f32, lid: u32, buf: u32) -> f32 {
  dots[buf * WG + lid] = v;
  workgroupBarrier();
  let first = buf * WG + lid / LANES * LANES;
  var s = 0.0;
  for (var l = 0u; l < LANES; l++) { s += dots[first + l]; }
  return s;
}
