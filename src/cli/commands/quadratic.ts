// `downhill demo --quadratic`: the notes' worked example J(w) = w² from w = 20 with every optimizer, the paths side
// by side (src/train/quadratic.ts), so the variants' behaviour can be seen: SGD shrinks w by 1 − 2α each step,
// momentum overshoots and oscillates, the adaptive rules move by about α per step.
import { OPTIMIZER_NAMES, type OptimizerKind } from '../../core/optim';
import { createBackend, parseBackend } from '../../train/backends';
import { quadraticPaths } from '../../train/quadratic';
import { num, parse } from '../args';
import { fmt, table } from '../output';

export const QUADRATIC_USAGE = `downhill demo --quadratic [--lr α] [--steps N] [--start w0] [--optimizer a,b,…] [--backend B]
  minimizes J(w) = w² from w = 20 with each optimizer and prints the paths side by side (default α = 0.1, 20 steps)`;

/** Runs the quadratic demo; returns the exit code. */
export async function quadraticCommand(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, {
    lr: { type: 'string' }, steps: { type: 'string' }, start: { type: 'string' }, optimizer: { type: 'string' }, backend: { type: 'string' },
  });
  const lr = num('lr', v.lr, 0.1, { positive: true });
  const steps = num('steps', v.steps, 20, { integer: true, min: 1 });
  const start = num('start', v.start, 20);
  const optimizers = (v.optimizer ?? OPTIMIZER_NAMES.join(',')).split(',').map((s) => s.trim()) as OptimizerKind[];
  for (const o of optimizers) if (!OPTIMIZER_NAMES.includes(o)) throw new Error(`--optimizer must be among ${OPTIMIZER_NAMES.join(', ')}; got "${o}"`);
  const backend = await createBackend(parseBackend(v.backend ?? 'reference'));
  try {
    const paths = await quadraticPaths(backend, { start, lr, steps, optimizers });
    console.log(`J(w) = w², from w = ${start}, learning rate ${lr}, ${steps} steps on ${backend.device}:\n`);
    const head = ['step', ...optimizers];
    const rows = Array.from({ length: steps + 1 }, (_, t) => [t, ...optimizers.map((o) => fmt(paths.get(o)![t], 5))]);
    console.log(table([head, ...rows]));
    console.log('\nSGD multiplies w by 1 − 2α each step; momentum builds speed and overshoots 0, then oscillates;');
    console.log('AdaGrad, RMSprop and Adam scale each step by the gradient\'s size, so they move by about α per step.');
  } finally {
    backend.dispose();
  }
  return 0;
}
