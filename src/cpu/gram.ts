// CPU twin of shaders/gram.wgsl (src/gpu/gram.ts): ZᵀZ of rows [start, start + count), z = (x − shift padded to
// DP4·4, y − yShift, 1, then zeros), computed in f64; the same W × W output, W = 4·Z4 (DP4 + 1 rounded up to even).

/** The Gram of the shifted, augmented rows of row-major x (rows × d) and y, in f64. */
export function gramCpu(
  x: ArrayLike<number>, y: ArrayLike<number>, d: number, start: number, count: number, shift: ArrayLike<number>, yShift: number,
): Float64Array {
  const dp = 4 * Math.ceil(d / 4);
  const w = 8 * Math.ceil((dp / 4 + 1) / 2);
  const g = new Float64Array(w * w);
  const z = new Float64Array(w);
  for (let r = start; r < start + count; r++) {
    for (let j = 0; j < d; j++) z[j] = x[r * d + j] - shift[j];
    z[dp] = y[r] - yShift;
    z[dp + 1] = 1;
    for (let i = 0; i < w; i++) {
      const zi = z[i];
      if (zi === 0) continue;
      for (let j = i; j < w; j++) g[i * w + j] += zi * z[j];
    }
  }
  for (let i = 0; i < w; i++) for (let j = 0; j < i; j++) g[i * w + j] = g[j * w + i];
  return g;
}
