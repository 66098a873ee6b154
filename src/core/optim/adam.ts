// Adam (Kingma & Ba 2015): bias-corrected first and second moments of the gradient.
import type { NumberOption } from '../options';
import type { OptimHp, OptimizerUnit, OptimParams } from './optimizer';

/** ε in the denominators of the adaptive rules. */
export const EPS_OPTION: NumberOption<keyof OptimParams> = {
  name: 'eps', key: 'eps', type: 'number', default: 1e-8, min: 0, exclusive: { min: true }, metavar: 'ε',
  help: 'adagrad, rmsprop, adam, adamw: ε added to the root in the denominator',
};

/** β1 and β2 of Adam and AdamW. */
export const BETA_OPTIONS: readonly NumberOption<keyof OptimParams>[] = [
  { name: 'beta1', key: 'beta1', type: 'number', default: 0.9, min: 0, max: 1, exclusive: { max: true }, metavar: 'β1', help: 'adam, adamw: decay of the first moment' },
  { name: 'beta2', key: 'beta2', type: 'number', default: 0.999, min: 0, max: 1, exclusive: { max: true }, metavar: 'β2', help: 'adam, adamw: decay of the second moment' },
];

/** Adam's bias corrections 1/(1 − β1^t), 1/(1 − β2^t). */
export const adamCorrection = (t: number, hp: OptimHp): [number, number] => [1 / (1 - hp[0] ** t), 1 / (1 - hp[1] ** t)];

/** Adam's moment update of one parameter; returns the step m̂/(√v̂ + ε). */
export function adamStep(g: number, s: Float64Array, at: number, hp: OptimHp, c1: number, c2: number): number {
  s[at] = hp[0] * s[at] + (1 - hp[0]) * g;
  s[at + 1] = hp[1] * s[at + 1] + (1 - hp[1]) * g * g;
  return (s[at] * c1) / (Math.sqrt(s[at + 1] * c2) + hp[2]);
}

export const adam: OptimizerUnit = {
  name: 'adam', stem: 'adam', title: 'Adam', slots: 2, decoupled: false, options: [...BETA_OPTIONS, EPS_OPTION],
  doc: {
    rule: 'm ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²; w ← w − α·m̂/(√v̂ + ε), m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ)',
    use: 'a robust default for badly scaled or noisy problems: each step moves each weight by about α',
  },
  hp: (p) => [p.beta1, p.beta2, p.eps, 0],
  correction: adamCorrection,
  update: (w, g, s, at, hp, c) => w - c.lr * adamStep(g, s, at, hp, c.c1, c.c2),
};
