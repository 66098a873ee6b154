// ε-insensitive (linear support vector regression): residuals within ε cost nothing, beyond it linearly.
import type { ScalarLoss } from './loss';

export const epsilonInsensitive: ScalarLoss = {
  name: 'epsilon-insensitive', stem: 'epsilon_insensitive', title: 'ε-insensitive (linear SVR)', task: 'regression', probabilistic: false,
  doc: {
    objective: 'max(0, abs(z − y) − ε)',
    gradient: 'sign(z − y) where abs(z − y) > ε, else 0',
    use: 'linear SVR: ignores errors smaller than ε (`--epsilon ε`, default 0.1); robust like the absolute error',
  },
  options: [{
    name: 'epsilon', key: 'epsilon', type: 'number', default: 0.1, min: 0, metavar: 'ε',
    help: 'epsilon-insensitive: residuals within ε cost nothing',
  }],
  hp: (p) => [p.epsilon, 0, 0, 0],
  value: (z, t, hp) => Math.max(0, Math.abs(z - t) - hp[0]),
  dz(z, t, hp) {
    const e = z - t;
    return e > hp[0] ? 1 : e < -hp[0] ? -1 : 0;
  },
  link: (z) => z,
};
