// Linear models and their losses in f64: the math every backend implements.

/** Loss kinds; `code` is the value of the shaders' LOSS override. */
export const LOSSES = {
  /** Squared error (ŷ − y)²; its mean is the MSE and dL/dŷ = 2(ŷ − y). */
  mse: { code: 0, value: (p: number, y: number) => (p - y) * (p - y), dpred: (p: number, y: number) => 2 * (p - y) },
} as const;

export type LossKind = keyof typeof LOSSES;

/** Per-feature centering and scaling applied to x inside the kernels: x' = (x − mean)·invStd. */
export interface Standardization {
  mean: Float64Array;
  invStd: Float64Array;
}

/** What is trained: D weights, optionally a bias, under a loss, optionally on standardized features. */
export interface ModelSpec {
  d: number;
  fitBias: boolean;
  loss: LossKind;
  standardize?: Standardization;
}

/** Trained parameters, in f64 on the host. */
export interface ModelParams {
  weights: Float64Array;
  bias: number;
}

/** Mean-over-rows gradient of the loss for one step. */
export interface Gradient {
  weights: Float64Array;
  bias: number;
  /** Mean loss over the step's rows before the update. */
  loss: number;
  rows: number;
}

/** Zero parameters for a spec. */
export function zeroParams(d: number): ModelParams {
  return { weights: new Float64Array(d), bias: 0 };
}

/** Parameters in original units from parameters trained on standardized features. */
export function unstandardize(p: ModelParams, s: Standardization): ModelParams {
  const weights = p.weights.map((w, j) => w * s.invStd[j]);
  let bias = p.bias;
  for (let j = 0; j < weights.length; j++) bias -= weights[j] * s.mean[j];
  return { weights, bias };
}

/** ŷ = x·w + b for one row of x starting at `offset`. */
export function predictRow(x: ArrayLike<number>, offset: number, p: ModelParams): number {
  let s = p.bias;
  const w = p.weights;
  for (let j = 0; j < w.length; j++) s += x[offset + j] * w[j];
  return s;
}

/** The plain SGD rule w ← w − α·g (and b ← b − α·g_b when fitting a bias), in place. */
export function sgdUpdate(p: ModelParams, g: Gradient, lr: number, fitBias: boolean): void {
  for (let j = 0; j < p.weights.length; j++) p.weights[j] -= lr * g.weights[j];
  if (fitBias) p.bias -= lr * g.bias;
}
