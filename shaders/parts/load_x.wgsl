// Feature loads of a row's k-th vec4 from the linked data part (x_f32.wgsl or x_f16.wgsl), standardized on the fly
// when STANDARDIZE: x' = (x − mean)·inv_std with `norm` = DP4 means, then DP4 inverse standard deviations.
fn load_x(row: u32, k: u32) -> vec4<f32> {
  let v = x_word(row * DP4 + k);
  if (STANDARDIZE) { return (v - norm[k]) * norm[DP4 + k]; }
  return v;
}
