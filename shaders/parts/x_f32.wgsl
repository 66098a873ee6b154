// Feature data stored as float32: DP4 vec4<f32> words per row (zero-padded), read as they are. The kernel declares
// `x: array<XWord>`; x_word(i) is its i-th word as four f32 features. Linked for dtype f32 (see x_f16.wgsl).
alias XWord = vec4<f32>;

fn x_word(i: u32) -> vec4<f32> {
  return x[i];
}
