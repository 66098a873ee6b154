// CPU twin of shaders/read_ceiling.wgsl (src/gpu/read_ceiling.ts): the per-workgroup sums of a buffer of vec4s, in f64.

/** Sums of vec4s [g·span, (g+1)·span) of x (n4 = x.length / 4 vec4s) for each of `groups` workgroups, 4 per group. */
export function readCeilingCpu(x: ArrayLike<number>, span: number, groups: number): Float64Array {
  const n4 = Math.floor(x.length / 4);
  const out = new Float64Array(4 * groups);
  for (let g = 0; g < groups; g++) {
    for (let i = g * span; i < Math.min((g + 1) * span, n4); i++) {
      for (let c = 0; c < 4; c++) out[4 * g + c] += x[4 * i + c];
    }
  }
  return out;
}
