// What an optimizer unit is: the update rule applied to each parameter from its (clipped, penalized) gradient,
// with per-parameter state slots, in f64; the WGSL part (shaders/optim/<stem>.wgsl) applies the same rule per vec4.
// Both twins read the hyperparameters from four slots [a, b, eps, weight decay] (`hp.optim` in WGSL) and, for
// Adam's bias correction, the per-step factors c1 = 1/(1 − β1^t) and c2 = 1/(1 − β2^t) computed on the host.
import type { NumberOption } from '../options';
import type { PenaltyHp } from '../penalties/penalty';

/** The optimizer settings a spec carries. */
export interface OptimParams {
  momentum: number;
  beta1: number;
  beta2: number;
  rho: number;
  eps: number;
  weightDecay: number;
  ftrlBeta: number;
}

/** Hyperparameters as the kernels read them: [a, b, eps, weight decay] (the unit says what a and b are). */
export type OptimHp = readonly [number, number, number, number];

/** One step's context: the rate, the 1-based global step t and the bias-correction factors. */
export interface StepContext {
  lr: number;
  t: number;
  c1: number;
  c2: number;
  /** The penalty's strengths on a weight (absent on biases), for rules that own the penalty (ownsPenalty). */
  penalty?: PenaltyHp;
}

/** An optimizer unit. */
export interface OptimizerUnit {
  readonly name: string;
  readonly stem: string;
  readonly title: string;
  /** README line: the rule and when to use it. */
  readonly doc: { rule: string; use: string };
  /** State slots per parameter (velocity, moments…). */
  readonly slots: number;
  /**
   * Whether a decoupled weight-decay link runs before the rule (AdamW = Adam plus this link): w ← w − lr·λ·w on
   * weights, never biases, λ the fourth slot (optim/apply.ts and apply_update.wgsl's DECOUPLED).
   */
  readonly decoupled: boolean;
  /**
   * Whether the rule applies the penalty itself (FTRL-proximal's closed form reads λ1, λ2 from StepContext.penalty):
   * the generic penalty gradient and proximal links are then skipped (apply.ts, apply_update.wgsl's OWN_PENALTY).
   */
  readonly ownsPenalty?: boolean;
  /** The stem of the WGSL part that applies the rule, when another unit's (AdamW links Adam's); default its own stem. */
  readonly wgsl?: string;
  /** Options only this optimizer reads. */
  readonly options: readonly NumberOption<keyof OptimParams>[];
  hp(p: OptimParams): OptimHp;
  /** Bias-correction factors [c1, c2] at 1-based step t ([1, 1] when the rule has none). */
  correction(t: number, hp: OptimHp): [number, number];
  /** The new value of parameter w with gradient g; its state is s[at … at + slots). */
  update(w: number, g: number, s: Float64Array, at: number, hp: OptimHp, c: StepContext): number;
}
