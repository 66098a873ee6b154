// The metric sums of a binary classification loss for one row (targets 0 or 1): (correct, log-loss, 0, 0),
// the log-loss from P(class 1) = loss_link(z) clipped to [1e−15, 1 − 1e−15] when LOSS_PROBABILISTIC.
// CPU twin: addRowMetrics in src/core/metrics.ts.
fn loss_class(z: f32) -> u32 { return select(0u, 1u, z > 0.0); }

fn loss_metrics(z: f32, t: f32, y_shift: f32) -> vec4<f32> {
  let truth = select(0u, 1u, t > 0.5);
  var ll = 0.0;
  if (LOSS_PROBABILISTIC) {
    let p = loss_link(z);
    ll = -log(clamp(select(1.0 - p, p, truth == 1u), 1e-15, 1.0));
  }
  return vec4<f32>(select(0.0, 1.0, loss_class(z) == truth), ll, 0.0, 0.0);
}
