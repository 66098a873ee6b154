// Tweedie regression with the log link and power p in (1, 2): compound Poisson–gamma targets (y ≥ 0, exact zeros and
// a continuous positive part, e.g. insurance claims); the loss is the half deviance up to a term without z.
import { scalarLoss } from './loss';

export class Tweedie {
  value(z: number, t: number, p: number, h1: number): number {
    return (-t * Math.exp((1 - p) * z)) / (1 - p) + Math.exp((2 - p) * z) / (2 - p);
  }
  dz(z: number, t: number, p: number, h1: number): number {
    return Math.exp((2 - p) * z) - t * Math.exp((1 - p) * z);
  }
  link(z: number, h0: number, h1: number): number {
    return Math.exp(z);
  }  d2z(z: number, t: number, p: number, h1: number): number {
    return (2 - p) * Math.exp((2 - p) * z) - t * (1 - p) * Math.exp((1 - p) * z);
  }

}

export const tweedie = scalarLoss(new Tweedie(), {
  name: 'tweedie', title: 'Tweedie (log link)', task: 'regression', probabilistic: false,
  doc: {
    objective: '−y·μ^(1−p)/(1−p) + μ^(2−p)/(2−p), μ = exp(z) (half Tweedie deviance up to a constant)',
    gradient: 'μ^(2−p) − y·μ^(1−p)',
    use: 'non-negative targets with exact zeros and a skewed positive part (claims, rainfall); `--tweedie-power p` in (1, 2), default 1.5',
  },
  options: [{
    name: 'tweedie-power', key: 'tweediePower', type: 'number', default: 1.5, min: 1, max: 2, exclusive: { min: true, max: true }, metavar: 'p',
    help: 'tweedie: the variance power p (1: Poisson, 2: gamma)',
  }],
  hp: (p) => [p.tweediePower, 0, 0, 0],
  checkTarget: (t) => (t >= 0 ? null : `the tweedie loss needs targets ≥ 0, got ${t}`),
});
