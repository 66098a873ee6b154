// Gamma regression with the log link: positive targets whose spread grows with their mean (costs, durations,
// amounts); the loss is the half gamma deviance up to a term without z: y·exp(−z) + z, μ = exp(z).
import { scalarLoss } from './loss';

export class Gamma {
  value(z: number, t: number, h0: number, h1: number): number {
    return t * Math.exp(-z) + z;
  }
  dz(z: number, t: number, h0: number, h1: number): number {
    return 1 - t * Math.exp(-z);
  }
  link(z: number, h0: number, h1: number): number {
    return Math.exp(z);
  }
  d2z(z: number, t: number, h0: number, h1: number): number {
    return t * Math.exp(-z);
  }
}

export const gamma = scalarLoss(new Gamma(), {
  name: 'gamma', title: 'Gamma (log link)', task: 'regression', probabilistic: false,
  doc: {
    objective: 'y·exp(−z) + z (half gamma deviance up to a constant, μ = exp(z))',
    gradient: '1 − y·exp(−z)',
    use: 'positive targets whose standard deviation grows in proportion to the mean (costs, durations); predictions are exp(x·w + b)',
  },
  options: [],
  hp: () => [0, 0, 0, 0],
  checkTarget: (t) => (t > 0 ? null : `the gamma loss needs targets > 0, got ${t}`),
});
