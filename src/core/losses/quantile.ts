// Quantile (pinball) loss: its minimizer is the τ-quantile of y given x; τ = 0.5 is median regression.
import { scalarLoss } from './loss';

export class Quantile {
  value(z: number, t: number, tau: number, h1: number): number {
    const r = t - z;
    return r >= 0 ? tau * r : (tau - 1) * r;
  }
  dz(z: number, t: number, tau: number, h1: number): number {
    return t >= z ? -tau : 1 - tau;
  }
  link(z: number, h0: number, h1: number): number {
    return z;
  }
}

export const quantile = scalarLoss(new Quantile(), {
  name: 'quantile', title: 'Quantile (pinball)', task: 'regression', probabilistic: false,
  doc: {
    objective: 'τ·(y − z) if y ≥ z, else (1 − τ)·(z − y)',
    gradient: '−τ if y ≥ z, else 1 − τ',
    use: 'a conditional quantile instead of the mean (`--quantile τ` in (0, 1), default 0.5: the median, robust to outliers)',
  },
  options: [{
    name: 'quantile', key: 'quantile', type: 'number', default: 0.5, min: 0, max: 1, exclusive: { min: true, max: true }, metavar: 'τ',
    help: 'quantile: which quantile of y to fit',
  }],
  hp: (p) => [p.quantile, 0, 0, 0],
});
