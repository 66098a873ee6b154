// Poisson regression with the log link: μ = exp(z); the loss is the negative log-likelihood up to a constant.
import { scalarLoss } from './loss';

export class Poisson {
  value(z: number, t: number, h0: number, h1: number): number {
    return Math.exp(z) - t * z;
  }
  dz(z: number, t: number, h0: number, h1: number): number {
    return Math.exp(z) - t;
  }
  link(z: number, h0: number, h1: number): number {
    return Math.exp(z);
  }  d2z(z: number, t: number, h0: number, h1: number): number {
    return Math.exp(z);
  }

}

export const poisson = scalarLoss(new Poisson(), {
  name: 'poisson', title: 'Poisson (log link)', task: 'regression', probabilistic: false,
  doc: {
    objective: 'exp(z) − y·z (Poisson negative log-likelihood, μ = exp(z))',
    gradient: 'exp(z) − y',
    use: 'counts and rates (y ≥ 0) whose variance grows with the mean; predictions are exp(x·w + b)',
  },
  options: [],
  hp: () => [0, 0, 0, 0],
  checkTarget: (t) => (t >= 0 ? null : `the poisson loss needs targets ≥ 0 (counts), got ${t}`),
});
