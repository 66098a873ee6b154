// The metric sums of a binary classification loss for one row (targets 0 or 1): (correct, log-loss, 0, 0). The
// log-loss (when LOSS_PROBABILISTIC) is −log P(true class), P clipped below at 1e−15; P(class 0) is taken as
// loss_link(−z) (= 1 − P(class 1) for the symmetric links) so it keeps its precision near 0 in f32.
// CPU twin: addRowMetrics in src/core/metrics.ts.
fn loss_class(z: f32) -> u32 { return select(0u, 1u, z > 0.0); }

fn loss_metrics(z: f32, t: f32, y_shift: f32) -> vec4<f32> {
  let truth = select(0u, 1u, t > 0.5);
  var ll = 0.0;
  if (LOSS_PROBABILISTIC) {
    ll = -log(max(loss_link(select(-z, z, truth == 1u)), 1e-15));
  }
  return vec4<f32>(select(0.0, 1.0, loss_class(z) == truth), ll, 0.0, 0.0);
}
