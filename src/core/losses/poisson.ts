// Poisson regression with the log link: μ = exp(z); the loss is the negative log-likelihood up to a constant.
import type { ScalarLoss } from './loss';

export const poisson: ScalarLoss = {
  name: 'poisson', stem: 'poisson', title: 'Poisson (log link)', task: 'regression', probabilistic: false,
  doc: {
    objective: 'exp(z) − y·z (Poisson negative log-likelihood, μ = exp(z))',
    gradient: 'exp(z) − y',
    use: 'counts and rates (y ≥ 0) whose variance grows with the mean; predictions are exp(x·w + b)',
  },
  options: [],
  hp: () => [0, 0, 0, 0],
  value: (z, t) => Math.exp(z) - t * z,
  dz: (z, t) => Math.exp(z) - t,
  link: (z) => Math.exp(z),
  checkTarget: (t) => (t >= 0 ? null : `the poisson loss needs targets ≥ 0 (counts), got ${t}`),
};
