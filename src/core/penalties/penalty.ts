// What a penalty unit is: R(w) on the weights (never the bias), its gradient part (taken with the loss's)
// and its proximal part (applied after the step, so L1 sets weights exactly to zero). Both twins read the
// strengths from two slots: l2 (the coefficient of ½‖w‖²) and l1 (of ‖w‖₁); the WGSL part reads `hp.penalty`.
import type { NumberOption } from '../options';

/** The penalty settings a spec carries. */
export interface PenaltyParams {
  alpha: number;
  l1Ratio: number;
}

/** Strengths as the kernels read them: [l2, l1, 0, 0]. */
export type PenaltyHp = readonly [number, number, number, number];

/** A penalty unit. */
export interface PenaltyUnit {
  readonly name: string;
  readonly stem: string;
  readonly title: string;
  /** README line: the term added to the mean loss, and how it is applied. */
  readonly doc: { objective: string; step: string; use: string };
  /** Options only this penalty reads (alpha is shared by all but none). */
  readonly options: readonly NumberOption<keyof PenaltyParams>[];
  hp(p: PenaltyParams): PenaltyHp;
  /** Its gradient part for one weight (taken together with the loss gradient). */
  grad(w: number, hp: PenaltyHp): number;
  /** Its proximal part after a step of rate lr. */
  prox(w: number, lr: number, hp: PenaltyHp): number;
}

/** α·R(w) for weights w under strengths hp: l2/2·‖w‖² + l1·‖w‖₁. */
export function penaltyValue(w: ArrayLike<number>, hp: PenaltyHp): number {
  let sq = 0;
  let abs = 0;
  for (let j = 0; j < w.length; j++) {
    sq += w[j] * w[j];
    abs += Math.abs(w[j]);
  }
  return 0.5 * hp[0] * sq + hp[1] * abs;
}

/** Soft-thresholding by t ≥ 0: the proximal map of t·|w| (exact zeros inside [−t, t]). */
export function softThreshold(w: number, t: number): number {
  return w > t ? w - t : w < -t ? w + t : 0;
}
