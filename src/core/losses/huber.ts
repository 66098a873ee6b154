// Huber: quadratic within δ of the target, linear beyond, so gross outliers pull with a bounded force.
import { scalarLoss } from './loss';

export class Huber {
  value(z: number, t: number, delta: number, h1: number): number {
    const a = Math.abs(z - t);
    return a <= delta ? 0.5 * a * a : delta * (a - 0.5 * delta);
  }
  dz(z: number, t: number, delta: number, h1: number): number {
    return Math.min(delta, Math.max(-delta, z - t));
  }
  link(z: number, h0: number, h1: number): number {
    return z;
  }  d2z(z: number, t: number, delta: number, h1: number): number {
    return Math.abs(z - t) <= delta ? 1 : 0;
  }

}

export const huber = scalarLoss(new Huber(), {
  name: 'huber', title: 'Huber', task: 'regression', probabilistic: false,
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
});
