// RMSprop: per-parameter rates from a running mean of squared gradients.
import type { NumberOption } from '../options';
import { EPS_OPTION } from './adam';
import type { OptimizerUnit, OptimParams } from './optimizer';

const RHO_OPTION: NumberOption<keyof OptimParams> = {
  name: 'rho', key: 'rho', type: 'number', default: 0.99, min: 0, max: 1, exclusive: { max: true }, metavar: 'ρ',
  help: 'rmsprop: decay ρ of the running mean of g²',
};

export const rmsprop: OptimizerUnit = {
  name: 'rmsprop', stem: 'rmsprop', title: 'RMSprop', slots: 1, decoupled: false, options: [RHO_OPTION, EPS_OPTION],
  doc: { rule: 's ← ρ·s + (1 − ρ)·g²; w ← w − α·g/(√s + ε)', use: 'badly scaled features without AdaGrad\'s ever-shrinking rate' },
  hp: (p) => [p.rho, 0, p.eps, 0],
  correction: () => [1, 1],
  update(w, g, s, at, hp, c) {
    s[at] = hp[0] * s[at] + (1 - hp[0]) * g * g;
    return w - (c.lr * g) / (Math.sqrt(s[at]) + hp[2]);
  },
};
