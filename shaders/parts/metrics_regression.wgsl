// The metric sums of a regression loss for one row: (|e|, e², y − shift, (y − shift)²) with e = ŷ − y and
// ŷ = loss_link(z). Regression has no classes. CPU twin: addRowMetrics in src/core/metrics.ts.
fn loss_metrics(z: f32, t: f32, y_shift: f32) -> vec4<f32> {
  let e = loss_link(z) - t;
  let ys = t - y_shift;
  return vec4<f32>(abs(e), e * e, ys, ys * ys);
}

fn loss_class(z: f32) -> u32 { return 0u; }
