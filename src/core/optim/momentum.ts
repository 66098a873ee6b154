// Heavy-ball momentum (PyTorch's form): v ← β·v + g, w ← w − α·v.
import type { NumberOption } from '../options';
import type { OptimizerUnit, OptimParams } from './optimizer';

/** The momentum β, shared by momentum and nesterov. */
export const MOMENTUM_OPTION: NumberOption<keyof OptimParams> = {
  name: 'momentum', key: 'momentum', type: 'number', default: 0.9, min: 0, max: 1, exclusive: { max: true }, metavar: 'β',
  help: 'momentum, nesterov: the velocity\'s decay β',
};

export const momentum: OptimizerUnit = {
  name: 'momentum', stem: 'momentum', title: 'Momentum', slots: 1, decoupled: false, options: [MOMENTUM_OPTION],
  doc: { rule: 'v ← β·v + g; w ← w − α·v', use: 'faster along narrow valleys (ill-conditioned problems); overshoots and oscillates if α·β is large' },
  hp: (p) => [p.momentum, 0, 0, 0],
  correction: () => [1, 1],
  update(w, g, s, at, hp, c) {
    s[at] = hp[0] * s[at] + g;
    return w - c.lr * s[at];
  },
};
