// What a loss unit is: its f64 math (value, dL/dz, the link used by predict), its hyperparameters as option
// descriptors, and the four hyperparameter slots every backend reads (the WGSL part reads them as `hp.loss`). A scalar
// loss's math is a class in the portable subset of TypeScript (f64 `number`s, `Math`, the helpers in math.ts): the f64
// reference calls it through scalarLoss below, and the fast CPU backend compiles the same class to WebAssembly
// (vite.plugins.ts `?simd`), so the math is written once in TypeScript and once in WGSL.
import type { NumberOption } from '../options';

/** What a loss learns: a real value, one of two classes, or one of K classes. */
export type Task = 'regression' | 'binary' | 'multiclass';

/** Hyperparameters as the kernels read them (four slots; unused ones are 0). */
export type LossHp = readonly [number, number, number, number];

/** README lines: the objective, its gradient, when to use it. */
export interface LossDoc {
  objective: string;
  gradient: string;
  use: string;
}

/** The hyperparameter values a unit reads, by its option keys (the registry's union of them is LossParams). */
export type LossValues<K extends string> = Readonly<Record<K, number>>;

interface LossBase<K extends string> {
  /** The CLI name, e.g. "epsilon-insensitive". */
  readonly name: string;
  /** File stem of the unit (src/core/losses/<stem>.ts, shaders/losses/<stem>.wgsl): the name with '_' for '-'. */
  readonly stem: string;
  readonly title: string;
  readonly doc: LossDoc;
  readonly options: readonly NumberOption<K>[];
  /** The kernels' slots from the settings (a record with at least this unit's option keys: LossParams, a TrainSpec). */
  hp(p: object): LossHp;
}

/** A loss of one output z = x·w + b: regression, or binary classification with classes {0, 1}. */
export interface ScalarLoss<K extends string = string> extends LossBase<K> {
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
  /**
   * d²L/dz², where L is twice differentiable in z (or, like Huber and modified Huber, once with a piecewise-continuous
   * second derivative); absent for losses with kinks in dL/dz (hinge, ε-insensitive, quantile). Newton's method
   * weighs each row's outer product by it; L-BFGS needs a loss that has it.
   */
  d2z?(z: number, t: number, hp: LossHp): number;
  /** A message when a target value is outside the loss's domain (e.g. Poisson counts < 0). */
  checkTarget?(t: number): string | null;
}

/** A loss of K outputs z_c = x·W_c + b_c over K classes (targets are class indices 0..K−1). */
export interface MultiLoss<K extends string = string> extends LossBase<K> {
  readonly task: 'multiclass';
  readonly probabilistic: true;
  /** L(z, t) for one row; writes dL/dz_c into `dz` when given. */
  valueDz(z: Float64Array, t: number, dz: Float64Array | null): number;
  /** Class probabilities of one row into `out`. */
  probabilities(z: Float64Array, out: Float64Array): void;
  /** Twice differentiable: its Hessian in z is diag(p) − ppᵀ (p the probabilities), so Newton and L-BFGS apply. */
  readonly smooth: true;
}

/** Any loss unit. */
export type LossUnit = ScalarLoss | MultiLoss;

/**
 * A scalar loss's math on one row: z the output, t the target (a class index 0 or 1 for binary losses), h0 and h1 the
 * first two hyperparameter slots. Written as a class with these three methods in the portable subset; the fast CPU
 * backend's generic row loop calls them with the math inlined (src/cpu/simd/rows.ts).
 */
export interface ScalarMath {
  value(z: number, t: number, h0: number, h1: number): number;
  /** dL/dz (a subgradient at kinks: the same one the WGSL part takes). */
  dz(z: number, t: number, h0: number, h1: number): number;
  /** Regression: the prediction in target units; binary: P(class 1), or NaN when the loss has none. */
  link(z: number, h0: number, h1: number): number;
  /** d²L/dz² (see ScalarLoss.d2z); a loss with kinks in dL/dz has none. */
  d2z?(z: number, t: number, h0: number, h1: number): number;
}

/** What a scalar loss declares besides its math; its `hp` reads its own option keys. */
export type ScalarDescriptor<K extends string> = Omit<ScalarLoss<K>, 'stem' | 'value' | 'dz' | 'link' | 'd2z' | 'hp'> & { hp(p: LossValues<K>): LossHp };

/** A registered scalar loss from its math and its descriptor (K: its option keys, kept for the registry's types). */
export function scalarLoss<const K extends string = never>(math: ScalarMath, d: ScalarDescriptor<K>): ScalarLoss<K> {
  return {
    ...d, stem: d.name.replaceAll('-', '_'),
    hp: (p) => d.hp(p as LossValues<K>),
    value: (z, t, hp) => math.value(z, t, hp[0], hp[1]),
    dz: (z, t, hp) => math.dz(z, t, hp[0], hp[1]),
    link: (z, hp) => math.link(z, hp[0], hp[1]),
    ...(math.d2z ? { d2z: (z: number, t: number, hp: LossHp) => math.d2z!(z, t, hp[0], hp[1]) } : {}),
  };
}

/** Probabilities are clipped to [P_EPS, 1 − P_EPS] in the log-loss metric, as scikit-learn does. */
export const P_EPS = 1e-15;
