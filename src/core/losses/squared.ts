// Squared error: L = (z − t)², whose mean is the MSE. The default loss.
import type { ScalarLoss } from './loss';

export const squared: ScalarLoss = {
  name: 'squared', stem: 'squared', title: 'Squared error', task: 'regression', probabilistic: false,
  doc: { objective: '(z − y)²', gradient: '2(z − y)', use: 'least squares: the mean, Gaussian noise; the default' },
  options: [],
  hp: () => [0, 0, 0, 0],
  value: (z, t) => (z - t) * (z - t),
  dz: (z, t) => 2 * (z - t),
  link: (z) => z,
};
