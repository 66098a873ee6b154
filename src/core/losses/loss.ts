// What a loss unit is: its f64 math (value, dL/dz, the link used by predict), its hyperparameters as option
// descriptors, and the four hyperparameter slots both twins read (the WGSL part reads them as `hp.loss`).
import type { NumberOption } from '../options';

/** What a loss learns: a real value, one of two classes, or one of K classes. */
export type Task = 'regression' | 'binary' | 'multiclass';

/** The loss hyperparameters a spec carries (each loss reads its own). */
export interface LossParams {
  huberDelta: number;
  epsilon: number;
  quantile: number;
}

/** Hyperparameters as the kernels read them (four slots; unused ones are 0). */
export type LossHp = readonly [number, number, number, number];

/** README lines: the objective, its gradient, when to use it. */
export interface LossDoc {
  objective: string;
  gradient: string;
  use: string;
}

interface LossBase {
  /** The CLI name, e.g. "epsilon-insensitive". */
  readonly name: string;
  /** File stem of the unit (src/core/losses/<stem>.ts, shaders/losses/<stem>.wgsl). */
  readonly stem: string;
  readonly title: string;
  readonly doc: LossDoc;
  readonly options: readonly NumberOption<keyof LossParams>[];
  hp(p: LossParams): LossHp;
}

/** A loss of one output z = x·w + b: regression, or binary classification with classes {0, 1}. */
export interface ScalarLoss extends LossBase {
  readonly task: 'regression' | 'binary';
  /** L(z, t) for one row; binary targets t are class indices 0 or 1. */
  value(z: number, t: number, hp: LossHp): number;
  /** dL/dz (a subgradient at kinks: the same one the WGSL part takes). */
  dz(z: number, t: number, hp: LossHp): number;
  /**
   * Regression: the prediction in target units (the inverse link). Binary: P(class 1), NaN when the loss has none;
   * such links are symmetric, link(−z) = 1 − link(z), so P(class 0) = link(−z).
   */
  link(z: number, hp: LossHp): number;
  /** Binary: whether `link` is a probability (log-loss and class probabilities are then reported). */
  readonly probabilistic: boolean;
  /** A message when a target value is outside the loss's domain (e.g. Poisson counts < 0). */
  checkTarget?(t: number): string | null;
}

/** A loss of K outputs z_c = x·W_c + b_c over K classes (targets are class indices 0..K−1). */
export interface MultiLoss extends LossBase {
  readonly task: 'multiclass';
  readonly probabilistic: true;
  /** L(z, t) for one row; writes dL/dz_c into `dz` when given. */
  valueDz(z: Float64Array, t: number, dz: Float64Array | null): number;
  /** Class probabilities of one row into `out`. */
  probabilities(z: Float64Array, out: Float64Array): void;
}

/** Any loss unit. */
export type LossUnit = ScalarLoss | MultiLoss;

/** Probabilities are clipped to [P_EPS, 1 − P_EPS] in the log-loss metric, as scikit-learn does. */
export const P_EPS = 1e-15;

/** log(1 + e^v) without overflow. */
export function softplus(v: number): number {
  return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
}

/** 1 / (1 + e^−v) without overflow. */
export function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** The ±1 sign of a binary class index (0 → −1, 1 → +1). */
export const signOf = (t: number): number => (t > 0.5 ? 1 : -1);
