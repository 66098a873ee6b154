// CPU twin of shaders/apply_update.wgsl: turns a step's summed partials into the mean gradient and, when applying,
// updates the parameters with the spec's optimizer and penalty (core/optim/apply.ts).
import type { Gradient, ModelParams, ModelSpec } from '../core/model';
import { applyStep, type OptimState, type StepRule } from '../core/optim/apply';
import type { GradSums } from './grad_rows';

/** Mean gradient of a step from its sums (scale = 1/rows). */
export function meanGradient(s: GradSums): Gradient {
  const scale = 1 / s.rows;
  return { weights: s.grad.map((g) => g * scale), bias: s.gradBias.map((g) => g * scale), loss: s.loss * scale, rows: s.rows };
}

/** Applies one step from a step's sums, in place; returns the mean gradient. */
export function applyUpdateCpu(p: ModelParams, s: GradSums, state: OptimState, rule: StepRule, spec: ModelSpec): Gradient {
  const g = meanGradient(s);
  applyStep(p, g, state, rule, spec);
  return g;
}
