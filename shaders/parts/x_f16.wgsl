// Feature data stored as float16: DP4 vec2<u32> words per row (8 bytes for four features instead of 16), each u32
// two packed halves, low half first; unpack2x16float is core WGSL, so the `shader-f16` feature is not needed and all
// arithmetic stays f32. Same contract as x_f32.wgsl. CPU twin: f16Value in src/core/f16.ts.
alias XWord = vec2<u32>;

fn x_word(i: u32) -> vec4<f32> {
  let w = x[i];
  return vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y));
}
