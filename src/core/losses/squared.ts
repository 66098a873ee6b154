// Squared error: L = (z − t)², whose mean is the MSE. The default loss.
import { scalarLoss } from './loss';

export class Squared {
  value(z: number, t: number, h0: number, h1: number): number {
    return (z - t) * (z - t);
  }
  dz(z: number, t: number, h0: number, h1: number): number {
    return 2 * (z - t);
  }
  link(z: number, h0: number, h1: number): number {
    return z;
  }
  d2z(z: number, t: number, h0: number, h1: number): number {
    return 2;
  }

}

export const squared = scalarLoss(new Squared(), {
  name: 'squared', title: 'Squared error', task: 'regression', probabilistic: false,
  doc: { objective: '(z − y)²', gradient: '2(z − y)', use: 'least squares: the mean, Gaussian noise; the default' },
  options: [],
  hp: () => [0, 0, 0, 0],
});
