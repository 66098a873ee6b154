// AdamW (Loshchilov & Hutter 2019): Adam plus the decoupled weight-decay link, w ← w − α·λ·w on the weights (never
// the bias), applied before the Adam step as PyTorch does. The rule and its WGSL part are Adam's.
import type { NumberOption } from '../options';
import { adam, BETA_OPTIONS, EPS_OPTION } from './adam';
import type { OptimizerUnit, OptimParams } from './optimizer';

const DECAY_OPTION: NumberOption<keyof OptimParams> = {
  name: 'weight-decay', key: 'weightDecay', type: 'number', default: 0.01, min: 0, metavar: 'λ',
  help: 'adamw: decoupled weight decay λ (w ← w − α·λ·w each step; the bias is never decayed)',
};

export const adamw: OptimizerUnit = {
  ...adam, name: 'adamw', stem: 'adamw', wgsl: 'adam', title: 'AdamW', decoupled: true, options: [...BETA_OPTIONS, EPS_OPTION, DECAY_OPTION],
  doc: { rule: 'w ← w − α·λ·w, then the Adam step', use: 'Adam with weight decay that is not rescaled by the adaptive rates' },
  hp: (p) => [p.beta1, p.beta2, p.eps, p.weightDecay],
};
