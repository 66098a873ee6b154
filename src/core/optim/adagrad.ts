// AdaGrad: per-parameter rates shrinking with the accumulated squared gradients.
import { EPS_OPTION } from './adam';
import type { OptimizerUnit } from './optimizer';

export const adagrad: OptimizerUnit = {
  name: 'adagrad', stem: 'adagrad', title: 'AdaGrad', slots: 1, decoupled: false, options: [EPS_OPTION],
  doc: { rule: 'G ← G + g²; w ← w − α·g/(√G + ε)', use: 'sparse or badly scaled features; the rate decays by itself' },
  hp: (p) => [0, 0, p.eps, 0],
  correction: () => [1, 1],
  update(w, g, s, at, hp, c) {
    s[at] += g * g;
    return w - (c.lr * g) / (Math.sqrt(s[at]) + hp[2]);
  },
};
