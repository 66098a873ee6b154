// Linear models in f64: K outputs z_c = x·W_c + b_c (K = 1 but for multiclass), the loss and penalty they are
// trained under, and the update rule every backend implements.
import { LOSSES, lossHp, type LossHp, type LossKind, type LossParams } from './losses';
import { optimHp, type OptimHp, type OptimizerKind, type OptimParams } from './optim';
import { PENALTIES, penaltyHp, type PenaltyHp, type PenaltyKind, type PenaltyParams } from './penalties';

/** Per-feature scaling applied to x inside the kernels: x' = (x − mean)·invStd (mean 0 when scaling only). */
export interface Standardization {
  mean: Float64Array;
  invStd: Float64Array;
}

/** What is trained: K × D weights, optionally K biases, under a loss and a penalty, maybe on standardized features. */
export interface ModelSpec {
  d: number;
  /** K: 1, or the number of classes for a multiclass loss. */
  outputs: number;
  fitBias: boolean;
  loss: LossKind;
  /** The loss's hyperparameter slots (LossUnit.hp). */
  lossHp: LossHp;
  penalty: PenaltyKind;
  /** The penalty's strength slots (PenaltyUnit.hp). */
  penaltyHp: PenaltyHp;
  optimizer: OptimizerKind;
  /** The optimizer's hyperparameter slots (OptimizerUnit.hp). */
  optimizerHp: OptimHp;
  /** Clip the mean loss gradient to this norm (0: no clipping). */
  clipNorm: number;
  standardize?: Standardization;
  /**
   * The mean sample weight w̄ of the training rows, when rows are weighted: a step's weighted sums Σ w·dL/dz·x are
   * divided by rows × w̄ (not by the batch's own Σ w), an unbiased estimate of the gradient of Σ w·L / Σ w that equals
   * it for a full batch. Absent: rows are unweighted.
   */
  meanWeight?: number;
  /**
   * A sparse block: the last `width` of the D features come as sparse rows (HostChunk.sparse), the first `dense` as
   * dense rows (D = dense + width); stores hold `dense` columns. Standardization touches the dense columns only.
   */
  sparse?: { dense: number; width: number };
}

/** A spec from the fields that matter, the rest at their defaults (one output, squared loss, no penalty, SGD). */
export function modelSpec(o: {
  d: number; outputs?: number; fitBias?: boolean; loss?: LossKind; lossParams?: Partial<LossParams>;
  penalty?: PenaltyKind; penaltyParams?: Partial<PenaltyParams>; optimizer?: OptimizerKind; optimParams?: Partial<OptimParams>;
  clipNorm?: number; standardize?: Standardization; meanWeight?: number; sparse?: { dense: number; width: number };
}): ModelSpec {
  const loss = o.loss ?? 'squared';
  const penalty = o.penalty ?? 'none';
  const outputs = o.outputs ?? 1;
  if (LOSSES[loss].task === 'multiclass' ? !(outputs >= 2) : outputs !== 1) {
    throw new Error(`the ${loss} loss cannot train ${outputs} output(s)`);
  }
  return {
    d: o.d, outputs, fitBias: o.fitBias ?? true, loss, lossHp: lossHp(loss, o.lossParams),
    penalty, penaltyHp: penaltyHp(penalty, o.penaltyParams), optimizer: o.optimizer ?? 'sgd',
    optimizerHp: optimHp(o.optimizer ?? 'sgd', o.optimParams), clipNorm: o.clipNorm ?? 0, standardize: o.standardize,
    ...(o.meanWeight !== undefined ? { meanWeight: o.meanWeight } : {}),
    ...(o.sparse ? { sparse: o.sparse } : {}),
  };
}

/** Trained parameters in f64: weights K × D, output-major (weights[c·D + j]), and K biases. */
export interface ModelParams {
  weights: Float64Array;
  bias: Float64Array;
}

/** The mean loss gradient of one step (penalty not included). */
export interface Gradient {
  weights: Float64Array;
  bias: Float64Array;
  /** Mean loss over the step's rows before the update. */
  loss: number;
  rows: number;
}

/** What a step's (or pass's) sums are divided by to give means: rows, times the mean sample weight when weighted. */
export function stepDivisor(rows: number, spec: Pick<ModelSpec, 'meanWeight'>): number {
  return spec.meanWeight === undefined ? rows : rows * spec.meanWeight;
}

/** Zero parameters for d features and k outputs. */
export function zeroParams(d: number, k = 1): ModelParams {
  return { weights: new Float64Array(k * d), bias: new Float64Array(k) };
}

/** A deep copy. */
export function cloneParams(p: ModelParams): ModelParams {
  return { weights: Float64Array.from(p.weights), bias: Float64Array.from(p.bias) };
}

/** Parameters in original units from parameters trained on standardized features. */
export function unstandardize(p: ModelParams, s: Standardization): ModelParams {
  const d = s.mean.length;
  const weights = p.weights.map((w, i) => w * s.invStd[i % d]);
  const bias = Float64Array.from(p.bias, (b, c) => {
    for (let j = 0; j < d; j++) b -= weights[c * d + j] * s.mean[j];
    return b;
  });
  return { weights, bias };
}

/** Parameters in the standardized space from parameters in original units (the inverse of unstandardize). */
export function standardizeParams(p: ModelParams, s?: Standardization): ModelParams {
  if (!s) return p;
  const d = s.mean.length;
  const bias = Float64Array.from(p.bias, (b, c) => {
    for (let j = 0; j < d; j++) b += p.weights[c * d + j] * s.mean[j];
    return b;
  });
  return { weights: p.weights.map((w, i) => w / s.invStd[i % d]), bias };
}

/** z_c = x·W_c + b_c for one row of x starting at `offset`, into `out` (length K). */
export function outputsRow(x: ArrayLike<number>, offset: number, p: ModelParams, out: Float64Array): Float64Array {
  const d = p.weights.length / p.bias.length;
  for (let c = 0; c < p.bias.length; c++) {
    let s = p.bias[c];
    for (let j = 0; j < d; j++) s += x[offset + j] * p.weights[c * d + j];
    out[c] = s;
  }
  return out;
}

/** z = x·w + b of the first output for one row of x starting at `offset`. */
export function predictRow(x: ArrayLike<number>, offset: number, p: ModelParams): number {
  const d = p.weights.length / p.bias.length;
  let s = p.bias[0];
  for (let j = 0; j < d; j++) s += x[offset + j] * p.weights[j];
  return s;
}
