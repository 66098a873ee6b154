// Hinge loss (linear support vector machine) for two classes.
import { signOf, type ScalarLoss } from './loss';

export const hinge: ScalarLoss = {
  name: 'hinge', stem: 'hinge', title: 'Hinge (linear SVM)', task: 'binary', probabilistic: false,
  doc: {
    objective: 'max(0, 1 − s·z), s = ±1 the class',
    gradient: '−s where s·z < 1, else 0',
    use: 'a maximum-margin linear classifier (with --penalty l2: the linear SVM); no probabilities',
  },
  options: [],
  hp: () => [0, 0, 0, 0],
  value: (z, t) => Math.max(0, 1 - signOf(t) * z),
  dz(z, t) {
    const s = signOf(t);
    return s * z < 1 ? -s : 0;
  },
  link: () => NaN,
};
