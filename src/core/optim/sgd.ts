// Plain SGD: w ← w − α·g. The only rule the one-dispatch fused step runs.
import type { OptimizerUnit } from './optimizer';

export const sgd: OptimizerUnit = {
  name: 'sgd', stem: 'sgd', title: 'SGD', slots: 0, decoupled: false, options: [],
  doc: { rule: 'w ← w − α·g', use: 'the plain rule; with `--average` or a decaying `--lr-schedule` it settles' },
  hp: () => [0, 0, 0, 0],
  correction: () => [1, 1],
  update: (w, g, _s, _at, _hp, c) => w - c.lr * g,
};
