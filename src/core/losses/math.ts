// Scalar helpers the loss units' math classes share. Portable: plain f64 functions (`number` is AssemblyScript's
// f64), so the fast CPU backend compiles the same lines into WebAssembly (vite.plugins.ts `?simd`).

/** log(1 + e^v) without overflow. */
export function softplus(v: number): number {
  return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
}

/** 1 / (1 + e^−v) without overflow. */
export function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** The ±1 sign of a binary class index (0 → −1, 1 → +1). */
export function signOf(t: number): number {
  return t > 0.5 ? 1 : -1;
}
