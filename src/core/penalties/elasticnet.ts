// Elastic net: α·((1 − r)/2·‖w‖² + r·‖w‖₁); the L2 part in the gradient, the L1 part as a soft-threshold.
import { softThreshold, type PenaltyUnit } from './penalty';

export const elasticnet: PenaltyUnit = {
  name: 'elasticnet', stem: 'elasticnet', title: 'Elastic net',
  doc: {
    objective: 'α·((1 − r)/2·‖w‖² + r·‖w‖₁), r = --l1-ratio',
    step: 'α(1 − r)·w in the gradient, then soft-threshold by lr·α·r',
    use: 'sparse like L1 but stable with correlated features',
  },
  options: [{
    name: 'l1-ratio', key: 'l1Ratio', type: 'number', default: 0.15, min: 0, max: 1, metavar: 'r',
    help: 'elasticnet: the L1 share r of the penalty',
  }],
  hp: (p) => [p.alpha * (1 - p.l1Ratio), p.alpha * p.l1Ratio, 0, 0],
  grad: (w, hp) => hp[0] * w,
  prox: (w, lr, hp) => softThreshold(w, lr * hp[1]),
};
