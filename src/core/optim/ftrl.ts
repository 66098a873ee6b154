// FTRL-proximal (McMahan et al., "Ad click prediction: a view from the trenches", KDD 2013, Algorithm 1): per
// coordinate z (the accumulated gradients, corrected) and n (the squared gradients); the weight is the closed form of
// the proximal problem, exactly 0 while |z| ≤ λ1. The rate α is --lr; the penalty is part of the rule (λ1 = its L1
// strength, λ2 = its L2 strength; biases have none), so apply.ts and apply_update.wgsl skip the generic penalty links.
// A coordinate whose gradient is 0 keeps its weight, so sparse rows update only the columns they touch.
import type { OptimizerUnit } from './optimizer';

export const ftrl: OptimizerUnit = {
  name: 'ftrl', stem: 'ftrl', title: 'FTRL-proximal', slots: 2, decoupled: false, ownsPenalty: true,
  options: [{
    name: 'ftrl-beta', key: 'ftrlBeta', type: 'number', default: 1, min: 0, metavar: 'β',
    help: 'ftrl: β in the per-coordinate rate α/(β + √n)',
  }],
  doc: {
    rule: 'n ← n + g²; z ← z + g − (√n − √n₀)/α·w; w = 0 if abs(z) ≤ λ1, else −(z − sign(z)·λ1)/((β + √n)/α + λ2)',
    use: 'hashed or one-hot click data (sparse rows): per-coordinate rates, exact zeros; `--penalty` l1, l2 or elasticnet gives λ1, λ2',
  },
  hp: (p) => [p.ftrlBeta, 0, 0, 0],
  correction: () => [1, 1],
  update(w, g, s, at, hp, c) {
    const n0 = s[at + 1];
    const n1 = n0 + g * g;
    const z = (s[at] += g - ((Math.sqrt(n1) - Math.sqrt(n0)) / c.lr) * w);
    s[at + 1] = n1;
    const l1 = c.penalty ? c.penalty[1] : 0;
    const l2 = c.penalty ? c.penalty[0] : 0;
    if (Math.abs(z) <= l1) return 0;
    return -(z - Math.sign(z) * l1) / ((hp[0] + Math.sqrt(n1)) / c.lr + l2);
  },
};
