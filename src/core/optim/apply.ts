// One training step's update of every parameter, in f64 — the CPU twin of shaders/apply_update.wgsl, used by the
// CPU backends and by host-update mode: the mean loss gradient clipped to norm ≤ clip, the penalty's gradient on
// the weights, the optimizer's rule (AdamW's decoupled decay on weights only), the penalty's proximal map on the
// weights, and the running (Polyak–Ruppert) average of the parameters when this step is averaged.
import type { Gradient, ModelParams, ModelSpec } from '../model';
import { PENALTIES } from '../penalties';
import { OPTIMIZERS, type StepContext } from './index';

/** Optimizer state of a model: `slots` values per parameter, and the running average when averaging. */
export interface OptimState {
  /** Parameter i's slots at [i·S, (i+1)·S); weights are i = c·D + j, then the K biases. */
  slots: Float64Array;
  /** The average of the parameters (weights, then biases), or null until averaging starts. */
  average: ModelParams | null;
  /** Iterates averaged so far. */
  averaged: number;
}

/** What a step contributes besides its gradient: its rate, its 1-based global index, and whether it is averaged. */
export interface StepRule {
  lr: number;
  /** 1-based global step number (Adam's bias correction). */
  t: number;
  /** n > 0: this is the n-th averaged iterate; 0: no averaging. */
  average: number;
}

/** Zero state for a model. */
export function newOptimState(spec: ModelSpec): OptimState {
  const params = spec.outputs * (spec.d + 1);
  return { slots: new Float64Array(params * OPTIMIZERS[spec.optimizer].slots), average: null, averaged: 0 };
}

/** The factor that clips a gradient to norm ≤ clip (1 when clip is 0 or the norm is within it). */
export function clipFactor(g: Gradient, clip: number, fitBias: boolean): number {
  if (!(clip > 0)) return 1;
  let sq = 0;
  for (const v of g.weights) sq += v * v;
  if (fitBias) for (const v of g.bias) sq += v * v;
  const norm = Math.sqrt(sq);
  return norm > clip ? clip / norm : 1;
}

/** One step's contexts: for weights (with the penalty, for rules that own it) and for biases. */
export function stepContexts(rule: StepRule, spec: ModelSpec): { weight: StepContext; bias: StepContext } {
  const opt = OPTIMIZERS[spec.optimizer];
  const [c1, c2] = opt.correction(rule.t, spec.optimizerHp);
  const bias = { lr: rule.lr, t: rule.t, c1, c2 };
  return { weight: { ...bias, penalty: spec.penaltyHp }, bias };
}

/** The new value of weight i (a penalized weight, not a bias) with mean loss gradient g (already clipped). */
export function updateWeight(w: number, g: number, slots: Float64Array, i: number, ctx: StepContext, spec: ModelSpec): number {
  const opt = OPTIMIZERS[spec.optimizer];
  const pen = PENALTIES[opt.ownsPenalty ? 'none' : spec.penalty];
  const { penaltyHp: php, optimizerHp: ohp } = spec;
  const grad = g + pen.grad(w, php);
  if (opt.decoupled) w -= ctx.lr * ohp[3] * w;
  w = opt.update(w, grad, slots, i * opt.slots, ohp, ctx);
  return pen.prox(w, ctx.lr, php);
}

/** Applies one step to p in place (see the file header). */
export function applyStep(p: ModelParams, g: Gradient, state: OptimState, rule: StepRule, spec: ModelSpec): void {
  const opt = OPTIMIZERS[spec.optimizer];
  const ctx = stepContexts(rule, spec);
  const f = clipFactor(g, spec.clipNorm, spec.fitBias);
  const n = p.weights.length;
  for (let i = 0; i < n; i++) p.weights[i] = updateWeight(p.weights[i], g.weights[i] * f, state.slots, i, ctx.weight, spec);
  if (spec.fitBias) {
    for (let c = 0; c < p.bias.length; c++) p.bias[c] = opt.update(p.bias[c], g.bias[c] * f, state.slots, (n + c) * opt.slots, spec.optimizerHp, ctx.bias);
  }
  if (rule.average > 0) {
    const a = (state.average ??= { weights: Float64Array.from(p.weights), bias: Float64Array.from(p.bias) });
    const rate = 1 / rule.average;
    for (let i = 0; i < n; i++) a.weights[i] += (p.weights[i] - a.weights[i]) * rate;
    for (let c = 0; c < p.bias.length; c++) a.bias[c] += (p.bias[c] - a.bias[c]) * rate;
    state.averaged = rule.average;
  }
}
