// Softmax cross-entropy of one row whose K outputs are zs[base .. base + K) (the kernel's workgroup array):
// replaces them by dL/dz_c = p_c − [c = t] and returns (loss, correct, log-loss, 0); counts (t, argmax) in the
// confusion matrix when CONFUSION. CPU twin: src/core/losses/softmax.ts and src/cpu/softmax_grad.ts.
fn softmax_row(base: u32, t: u32) -> vec4<f32> {
  var m = zs[base];
  var best = 0u;
  for (var c = 1u; c < K; c++) {
    if (zs[base + c] > m) { m = zs[base + c]; best = c; }
  }
  var s = 0.0;
  for (var c = 0u; c < K; c++) { s += exp(zs[base + c] - m); }
  let loss = log(s) + m - zs[base + t];
  for (var c = 0u; c < K; c++) { zs[base + c] = exp(zs[base + c] - m) / s - select(0.0, 1.0, c == t); }
  if (CONFUSION) { atomicAdd(&confusion[t * K + best], 1u); }
  return vec4<f32>(loss, select(0.0, 1.0, best == t), loss, 0.0);
}
