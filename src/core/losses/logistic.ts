// Logistic regression (log-loss) for two classes: P(class 1) = σ(z).
import { scalarLoss } from './loss';
import { sigmoid, signOf, softplus } from './math';

export class Logistic {
  value(z: number, t: number, h0: number, h1: number): number {
    return softplus(-signOf(t) * z);
  }
  dz(z: number, t: number, h0: number, h1: number): number {
    const s = signOf(t);
    return -s * sigmoid(-s * z);
  }
  link(z: number, h0: number, h1: number): number {
    return sigmoid(z);
  }  d2z(z: number, t: number, h0: number, h1: number): number {
    const p = sigmoid(z);
    return p * (1 - p);
  }

}

export const logistic = scalarLoss(new Logistic(), {
  name: 'logistic', title: 'Logistic (log-loss)', task: 'binary', probabilistic: true,
  doc: {
    objective: 'log(1 + exp(−s·z)), s = ±1 the class',
    gradient: '−s·σ(−s·z) = σ(z) − [y = class 1]',
    use: 'binary classification with calibrated probabilities P(class 1) = σ(x·w + b)',
  },
  options: [],
  hp: () => [0, 0, 0, 0],
});
