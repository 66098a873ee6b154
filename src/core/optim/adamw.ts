// AdamW (Loshchilov & Hutter 2019): Adam with weight decay decoupled from the gradient, w ← w − α·λ·w on the
// weights (never the bias), applied before the Adam step as PyTorch does.
import type { NumberOption } from '../options';
import { adamCorrection, adamStep, BETA_OPTIONS, EPS_OPTION } from './adam';
import type { OptimizerUnit, OptimParams } from './optimizer';

const DECAY_OPTION: NumberOption<keyof OptimParams> = {
  name: 'weight-decay', key: 'weightDecay', type: 'number', default: 0.01, min: 0, metavar: 'λ',
  help: 'adamw: decoupled weight decay λ (w ← w − α·λ·w each step; the bias is never decayed)',
};

export const adamw: OptimizerUnit = {
  name: 'adamw', stem: 'adamw', title: 'AdamW', slots: 2, decoupled: true, options: [...BETA_OPTIONS, EPS_OPTION, DECAY_OPTION],
  doc: { rule: 'w ← w − α·λ·w, then the Adam step', use: 'Adam with weight decay that is not rescaled by the adaptive rates' },
  hp: (p) => [p.beta1, p.beta2, p.eps, p.weightDecay],
  correction: adamCorrection,
  update: (w, g, s, at, hp, c) => w - c.lr * adamStep(g, s, at, hp, c.c1, c.c2),
};
