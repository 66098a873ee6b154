// Logistic regression (log-loss) for two classes: P(class 1) = σ(z).
import { sigmoid, signOf, softplus, type ScalarLoss } from './loss';

export const logistic: ScalarLoss = {
  name: 'logistic', stem: 'logistic', title: 'Logistic (log-loss)', task: 'binary', probabilistic: true,
  doc: {
    objective: 'log(1 + exp(−s·z)), s = ±1 the class',
    gradient: '−s·σ(−s·z) = σ(z) − [y = class 1]',
    use: 'binary classification with calibrated probabilities P(class 1) = σ(x·w + b)',
  },
  options: [],
  hp: () => [0, 0, 0, 0],
  value: (z, t) => softplus(-signOf(t) * z),
  dz(z, t) {
    const s = signOf(t);
    return -s * sigmoid(-s * z);
  },
  link: (z) => sigmoid(z),
};
