// Hinge loss (linear support vector machine) for two classes.
import { scalarLoss } from './loss';
import { signOf } from './math';

export class Hinge {
  value(z: number, t: number, h0: number, h1: number): number {
    return Math.max(0, 1 - signOf(t) * z);
  }
  dz(z: number, t: number, h0: number, h1: number): number {
    const s = signOf(t);
    return s * z < 1 ? -s : 0;
  }
  link(z: number, h0: number, h1: number): number {
    return NaN;
  }
}

export const hinge = scalarLoss(new Hinge(), {
  name: 'hinge', title: 'Hinge (linear SVM)', task: 'binary', probabilistic: false,
  doc: {
    objective: 'max(0, 1 − s·z), s = ±1 the class',
    gradient: '−s where s·z < 1, else 0',
    use: 'a maximum-margin linear classifier (with --penalty l2: the linear SVM); no probabilities',
  },
  options: [],
  hp: () => [0, 0, 0, 0],
});
