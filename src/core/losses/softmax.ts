// Softmax cross-entropy over K classes: P(c) = exp(z_c) / Σ exp(z_k), L = −log P(y).
import type { MultiLoss } from './loss';

export const softmax: MultiLoss<never> = {
  name: 'softmax', stem: 'softmax', title: 'Softmax (cross-entropy)', task: 'multiclass', probabilistic: true, smooth: true,
  doc: {
    objective: 'log Σ_k exp(z_k) − z_y over K outputs z_k = x·W_k + b_k',
    gradient: 'P(k) − [y = k] for each output k',
    use: 'multiclass classification (K from 2 to 1000) with class probabilities',
  },
  options: [],
  hp: () => [0, 0, 0, 0],
  valueDz(z, t, dz) {
    let m = -Infinity;
    for (let c = 0; c < z.length; c++) m = Math.max(m, z[c]);
    let s = 0;
    for (let c = 0; c < z.length; c++) s += Math.exp(z[c] - m);
    if (dz) for (let c = 0; c < z.length; c++) dz[c] = Math.exp(z[c] - m) / s - (c === t ? 1 : 0);
    return Math.log(s) + m - z[t];
  },
  probabilities(z, out) {
    let m = -Infinity;
    for (let c = 0; c < z.length; c++) m = Math.max(m, z[c]);
    let s = 0;
    for (let c = 0; c < z.length; c++) s += (out[c] = Math.exp(z[c] - m));
    for (let c = 0; c < z.length; c++) out[c] /= s;
  },
};
