// The notes' worked example for every optimizer: J(w) = w² from w = 20, i.e. squared loss on one row x = 1, y = 0
// with no bias, trained one step per epoch, recording w after each step. Plain SGD with α = 0.1 gives 16, 12.8,
// 10.24, …; momentum overshoots and oscillates; Adam moves by about α per step. Used by `downhill demo --quadratic`
// and the page.
import type { Backend } from '../backend';
import { OPTIMIZER_NAMES, type OptimizerKind } from '../core/optim';
import type { TrainSpec } from '../core/spec';
import { train } from './train';

/** Options of the quadratic example. */
export interface QuadraticOptions {
  start?: number;
  lr?: number;
  steps?: number;
  optimizers?: readonly OptimizerKind[];
  /** Other settings (e.g. momentum, beta1), the same for every optimizer that reads them. */
  spec?: Partial<TrainSpec>;
}

/** w after each step (index 0 is the start), per optimizer. */
export async function quadraticPaths(backend: Backend, o: QuadraticOptions = {}): Promise<Map<OptimizerKind, number[]>> {
  const start = o.start ?? 20;
  const steps = o.steps ?? 20;
  const data = { features: ['x'], target: 'y', rows: 1, chunks: [{ rows: 1, x: Float32Array.of(1), y: Float32Array.of(0) }] };
  const out = new Map<OptimizerKind, number[]>();
  for (const optimizer of o.optimizers ?? OPTIMIZER_NAMES) {
    const path = [start];
    await train(backend, data, {
      ...o.spec, optimizer, epochs: steps, batch: 1, lr: o.lr ?? 0.1, fitBias: false, shuffle: false, skipFinalMetrics: true,
      init: { weights: Float64Array.of(start), bias: Float64Array.of(0) },
      onEpoch: (e) => path.push(e.params!.weights[0]),
    });
    out.set(optimizer, path);
  }
  return out;
}
