// Nesterov momentum (PyTorch's form): v ← β·v + g, w ← w − α·(g + β·v).
import { MOMENTUM_OPTION } from './momentum';
import type { OptimizerUnit } from './optimizer';

export const nesterov: OptimizerUnit = {
  name: 'nesterov', stem: 'nesterov', title: 'Nesterov momentum', slots: 1, decoupled: false, options: [MOMENTUM_OPTION],
  doc: { rule: 'v ← β·v + g; w ← w − α·(g + β·v)', use: 'momentum that looks ahead: less overshoot than plain momentum' },
  hp: (p) => [p.momentum, 0, 0, 0],
  correction: () => [1, 1],
  update(w, g, s, at, hp, c) {
    s[at] = hp[0] * s[at] + g;
    return w - c.lr * (g + hp[0] * s[at]);
  },
};
