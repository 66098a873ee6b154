// Feature loads from float32 rows of DP4 vec4s (zero-padded), standardized on the fly when STANDARDIZE:
// x' = (x − mean)·inv_std with `norm` = DP4 means, then DP4 inverse standard deviations.
fn load_x(row: u32, k: u32) -> vec4<f32> {
  let v = x[row * DP4 + k];
  if (STANDARDIZE) { return (v - norm[k]) * norm[DP4 + k]; }
  return v;
}
