// L1 (lasso): α·‖w‖₁, applied as a soft-threshold after each step so weights become exactly zero.
import { softThreshold, type PenaltyUnit } from './penalty';

export const l1: PenaltyUnit = {
  name: 'l1', stem: 'l1', title: 'L1 (lasso)',
  doc: { objective: 'α·‖w‖₁', step: 'soft-threshold by lr·α after each step (exact zeros)', use: 'sparse models: selects features' },
  options: [],
  hp: (p) => [0, p.alpha, 0, 0],
  grad: () => 0,
  prox: (w, lr, hp) => softThreshold(w, lr * hp[1]),
};
