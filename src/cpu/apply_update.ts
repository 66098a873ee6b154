// CPU twin of shaders/linear_update.wgsl: turns a step's summed partials into the mean gradient and, when
// applying, takes the SGD step with the penalty (core/model.ts sgdStep).
import { sgdStep, type Gradient, type ModelParams, type ModelSpec } from '../core/model';
import type { GradSums } from './grad_rows';

/** Mean gradient of a step from its sums (scale = 1/rows). */
export function meanGradient(s: GradSums): Gradient {
  const scale = 1 / s.rows;
  return { weights: s.grad.map((g) => g * scale), bias: s.gradBias.map((g) => g * scale), loss: s.loss * scale, rows: s.rows };
}

/** Applies one SGD step from a step's sums, in place; returns the mean gradient. */
export function linearUpdateCpu(p: ModelParams, s: GradSums, lr: number, spec: ModelSpec): Gradient {
  const g = meanGradient(s);
  sgdStep(p, g, lr, spec);
  return g;
}
