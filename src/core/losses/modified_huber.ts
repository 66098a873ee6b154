// Modified Huber for two classes: a smoothed hinge, quadratic near the margin and linear for badly wrong
// predictions; it gives probability estimates (clip(z, −1, 1) + 1) / 2, as scikit-learn does.
import { signOf, type ScalarLoss } from './loss';

export const modifiedHuber: ScalarLoss = {
  name: 'modified-huber', stem: 'modified_huber', title: 'Modified Huber', task: 'binary', probabilistic: true,
  doc: {
    objective: 'max(0, 1 − m)² if m ≥ −1, else −4m, m = s·z, s = ±1 the class',
    gradient: '−2s·max(0, 1 − m) if m ≥ −1, else −4s',
    use: 'binary classification tolerant of outliers and label noise, with probability estimates',
  },
  options: [],
  hp: () => [0, 0, 0, 0],
  value(z, t) {
    const m = signOf(t) * z;
    return m >= -1 ? Math.max(0, 1 - m) ** 2 : -4 * m;
  },
  dz(z, t) {
    const s = signOf(t);
    const m = s * z;
    return m >= -1 ? -2 * s * Math.max(0, 1 - m) : -4 * s;
  },
  link: (z) => (Math.min(1, Math.max(-1, z)) + 1) / 2,
};
