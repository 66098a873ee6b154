// ε-insensitive (linear support vector regression): residuals within ε cost nothing, beyond it linearly.
import { scalarLoss } from './loss';

export class EpsilonInsensitive {
  value(z: number, t: number, eps: number, h1: number): number {
    return Math.max(0, Math.abs(z - t) - eps);
  }
  dz(z: number, t: number, eps: number, h1: number): number {
    const e = z - t;
    return e > eps ? 1 : e < -eps ? -1 : 0;
  }
  link(z: number, h0: number, h1: number): number {
    return z;
  }
}

export const epsilonInsensitive = scalarLoss(new EpsilonInsensitive(), {
  name: 'epsilon-insensitive', title: 'ε-insensitive (linear SVR)', task: 'regression', probabilistic: false,
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
});
