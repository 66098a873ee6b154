// Huber: quadratic within δ of the target, linear beyond, so gross outliers pull with a bounded force.
import type { ScalarLoss } from './loss';

export const huber: ScalarLoss = {
  name: 'huber', stem: 'huber', title: 'Huber', task: 'regression', probabilistic: false,
  doc: {
    objective: '½e² if abs(e) ≤ δ, else δ(abs(e) − ½δ), e = z − y',
    gradient: 'clamp(e, −δ, δ)',
    use: 'regression with outliers in y: squared near the fit, absolute far from it (`--huber-delta δ`, default 1)',
  },
  options: [{
    name: 'huber-delta', key: 'huberDelta', type: 'number', default: 1, min: 0, exclusive: { min: true }, metavar: 'δ',
    help: 'huber: residuals beyond δ count linearly',
  }],
  hp: (p) => [p.huberDelta, 0, 0, 0],
  value(z, t, hp) {
    const a = Math.abs(z - t);
    const d = hp[0];
    return a <= d ? 0.5 * a * a : d * (a - 0.5 * d);
  },
  dz: (z, t, hp) => Math.min(hp[0], Math.max(-hp[0], z - t)),
  link: (z) => z,
};
