// No penalty: the plain mean loss.
import type { PenaltyUnit } from './penalty';

export const none: PenaltyUnit = {
  name: 'none', stem: 'none', title: 'None',
  doc: { objective: '0', step: '—', use: 'no regularization (the default)' },
  options: [],
  hp: () => [0, 0, 0, 0],
  grad: () => 0,
  prox: (w) => w,
};
