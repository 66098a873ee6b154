// f32 helpers the loss parts (losses/*.ts) share, as in shaders/losses/logistic.wgsl.

/** The ±1 sign of a binary class index (0 → −1, 1 → +1). */
@inline export function signOf(t: f32): f32 {
  return t > 0.5 ? 1 : -1;
}

/** Stores a part's sums: Σ loss and Σ dL/dz (f64) at out. */
@inline export function storeSums(out: usize, loss: f64, dz: f64): void {
  store<f64>(out, loss);
  store<f64>(out, dz, 8);
}
