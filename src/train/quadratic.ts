// The notes' worked example for every optimizer: J(w) = w² from w = 20, i.e. squared loss on one row x = 1, y = 0
// with no bias, trained one step per epoch, recording w after each step. Plain SGD with α = 0.1 gives 16, 12.8,
// 10.24, …; momentum overshoots and oscillates; Adam moves by about α per step. Used by `downhill demo --quadratic`
// and the page. Its 2-D companion, the narrow valley J(w1, w2) = (a·w1² + b·w2²)/2, is the mean squared loss of
// the rows (√a, 0) → 0 and (0, √b) → 0 with no bias, trained full-batch: with b ≫ a, plain SGD zigzags across the
// valley while it crawls along it, which is why momentum and the adaptive rules exist.
import type { Backend } from '../backend';
import type { Dataset } from '../core/dataset';
import { OPTIMIZER_NAMES, type OptimizerKind } from '../core/optim';
import { applyingSettings, parseTrainSpec, type TrainSpec } from '../core/spec';
import { DivergedError } from './health';
import { train } from './train';

/** Settings shared by the quadratic examples. */
export interface PathOptions {
  lr?: number;
  steps?: number;
  optimizers?: readonly OptimizerKind[];
  /** Other settings (e.g. momentum, beta1), the same for every optimizer that reads them. */
  spec?: Partial<TrainSpec>;
  /**
   * Keep a path the engine found diverging, up to the last step it took (then shorter than steps + 1), instead of
   * throwing its DivergedError.
   */
  keepDiverged?: boolean;
}

/** Options of the quadratic example. */
export interface QuadraticOptions extends PathOptions {
  start?: number;
}

/** Options of the narrow valley. */
export interface ValleyOptions extends PathOptions {
  /** (w1, w2) before the first step; default (−8, 2). */
  start?: readonly [number, number];
  /** The curvatures (a, b) of J = (a·w1² + b·w2²)/2; default (1, 10). b/a is the condition number. */
  curvature?: readonly [number, number];
}

/** A point (w1, w2) of the valley. */
export type Point2 = [number, number];

/** Trains each optimizer on `data` from `start`, one step per epoch, and records the weights after every step. */
async function runPaths(backend: Backend, data: Dataset, start: readonly number[], o: PathOptions): Promise<Map<OptimizerKind, number[][]>> {
  const steps = o.steps ?? 20;
  const out = new Map<OptimizerKind, number[][]>();
  for (const optimizer of o.optimizers ?? OPTIMIZER_NAMES) {
    const path = [[...start]];
    try {
      // Only the settings this optimizer reads (o.spec may hold another's: momentum for SGD would be refused).
      const settings = applyingSettings(parseTrainSpec({ ...o.spec, optimizer }, { strict: false }));
      await train(backend, data, {
        ...settings, optimizer, epochs: steps, batch: data.rows, lr: o.lr ?? 0.1, fitBias: false, shuffle: false, skipFinalMetrics: true,
        init: { weights: Float64Array.from(start), bias: Float64Array.of(0) },
        onEpoch: (e) => path.push([...e.params!.weights]),
      });
    } catch (e) {
      if (!(o.keepDiverged && e instanceof DivergedError)) throw e;
    }
    out.set(optimizer, path);
  }
  return out;
}

/** w after each step (index 0 is the start), per optimizer. */
export async function quadraticPaths(backend: Backend, o: QuadraticOptions = {}): Promise<Map<OptimizerKind, number[]>> {
  const data: Dataset = { features: ['x'], target: 'y', rows: 1, chunks: [{ rows: 1, x: Float32Array.of(1), y: Float32Array.of(0) }] };
  const paths = await runPaths(backend, data, [o.start ?? 20], o);
  return new Map([...paths].map(([k, p]) => [k, p.map((w) => w[0])]));
}

/**
 * (w1, w2) after each full-batch step (index 0 is the start), per optimizer, on the valley J = (a·w1² + b·w2²)/2.
 * The rows are float32, so the curvatures trained are fround(√a)² and fround(√b)² (exact for square a and b).
 */
export async function valleyPaths(backend: Backend, o: ValleyOptions = {}): Promise<Map<OptimizerKind, Point2[]>> {
  const [a, b] = o.curvature ?? [1, 10];
  if (!(a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b))) throw new Error(`the valley's curvatures must be finite and > 0; got (${a}, ${b})`);
  const data: Dataset = {
    features: ['w1', 'w2'], target: 'y', rows: 2,
    chunks: [{ rows: 2, x: Float32Array.of(Math.sqrt(a), 0, 0, Math.sqrt(b)), y: Float32Array.of(0, 0) }],
  };
  const paths = await runPaths(backend, data, o.start ?? [-8, 2], o);
  return new Map([...paths].map(([k, p]) => [k, p.map(([w1, w2]): Point2 => [w1, w2])]));
}

/** J(w1, w2) = (a·w1² + b·w2²)/2, the valley's loss (for its contour lines). */
export function valleyLoss(curvature: readonly [number, number], w1: number, w2: number): number {
  return (curvature[0] * w1 * w1 + curvature[1] * w2 * w2) / 2;
}
