// Modified Huber for two classes: a smoothed hinge, quadratic near the margin and linear for badly wrong
// predictions; it gives probability estimates (clip(z, −1, 1) + 1) / 2, as scikit-learn does.
import { scalarLoss } from './loss';
import { signOf } from './math';

export class ModifiedHuber {
  value(z: number, t: number, h0: number, h1: number): number {
    const m = signOf(t) * z;
    const q = Math.max(0, 1 - m);
    return m >= -1 ? q * q : -4 * m;
  }
  dz(z: number, t: number, h0: number, h1: number): number {
    const s = signOf(t);
    const m = s * z;
    return m >= -1 ? -2 * s * Math.max(0, 1 - m) : -4 * s;
  }
  link(z: number, h0: number, h1: number): number {
    return (Math.min(1, Math.max(-1, z)) + 1) / 2;
  }  d2z(z: number, t: number, h0: number, h1: number): number {
    const m = signOf(t) * z;
    return m >= -1 && m < 1 ? 2 : 0;
  }

}

export const modifiedHuber = scalarLoss(new ModifiedHuber(), {
  name: 'modified-huber', title: 'Modified Huber', task: 'binary', probabilistic: true,
  doc: {
    objective: 'max(0, 1 − m)² if m ≥ −1, else −4m, m = s·z, s = ±1 the class',
    gradient: '−2s·max(0, 1 − m) if m ≥ −1, else −4s',
    use: 'binary classification tolerant of outliers and label noise, with probability estimates',
  },
  options: [],
  hp: () => [0, 0, 0, 0],
});
