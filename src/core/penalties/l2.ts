// L2 (ridge): α/2·‖w‖², taken as weight decay inside the gradient.
import type { PenaltyUnit } from './penalty';

export const l2: PenaltyUnit = {
  name: 'l2', stem: 'l2', title: 'L2 (ridge)',
  doc: { objective: 'α/2·‖w‖²', step: 'α·w added to the gradient (weight decay)', use: 'shrinks all weights; collinear or many features' },
  options: [],
  hp: (p) => [p.alpha, 0, 0, 0],
  grad: (w, hp) => hp[0] * w,
  prox: (w) => w,
};
