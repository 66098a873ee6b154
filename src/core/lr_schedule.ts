// Learning-rate schedules: the rate of each step, computed on the host from the global step t (0-based) and
// passed in the step's parameters (no readback). `plateau` lowers the rate by γ when the monitored loss (the
// validation loss, else the epoch's training loss) has not improved for `patience` epochs.
import type { NumberOption } from './options';

/** Schedule names. */
export const SCHEDULES = ['constant', 'step', 'exponential', 'invscaling', 'cosine', 'plateau'] as const;
/** A schedule name. */
export type ScheduleKind = (typeof SCHEDULES)[number];

/** The schedule settings a spec carries. */
export interface ScheduleParams {
  lrSchedule: ScheduleKind;
  /** Steps of linear warm-up from lr/warmup to lr (0: none). */
  warmup: number;
  /** γ: the factor of step and plateau, the per-period factor of exponential. */
  decay: number;
  /** The period of step and exponential in steps (0: one epoch). */
  stepEvery: number;
  /** p of invscaling: lr/(t + 1)^p. */
  power: number;
  /** Epochs without improvement before plateau lowers the rate (and before early stopping stops). */
  patience: number;
  /** Relative improvement that counts for plateau and early stopping. */
  tol: number;
}

/** The schedule's options (README: Optimizers and schedules). */
export const SCHEDULE_OPTIONS: readonly NumberOption<Exclude<keyof ScheduleParams, 'lrSchedule'>>[] = [
  { name: 'warmup', key: 'warmup', type: 'integer', default: 0, min: 0, metavar: 'STEPS', label: 'Warm-up steps', help: 'linear warm-up over the first STEPS steps' },
  { name: 'decay', key: 'decay', type: 'number', default: 0.5, min: 0, max: 1, exclusive: { min: true, max: true }, metavar: 'γ', label: 'Decay factor γ', help: 'step, exponential, plateau: the rate\'s factor per period (or plateau)' },
  { name: 'step-every', key: 'stepEvery', type: 'integer', default: 0, min: 0, metavar: 'N', label: 'Period (steps; 0 = one epoch)', help: 'step, exponential: the period in steps (0: one epoch)' },
  { name: 'power', key: 'power', type: 'number', default: 0.25, min: 0, exclusive: { min: true }, metavar: 'p', label: 'Power p', help: 'invscaling: lr/(t + 1)^p' },
  { name: 'patience', key: 'patience', type: 'integer', default: 5, min: 1, metavar: 'N', label: 'Patience (epochs)', help: 'plateau, early stopping: epochs without improvement' },
  { name: 'tol', key: 'tol', type: 'number', default: 1e-4, min: 0, metavar: 'δ', label: 'Tolerance (relative improvement)', help: 'plateau, early stopping: relative improvement that counts' },
];

/** The monitored-loss bookkeeping of plateau and early stopping. */
export interface PlateauState {
  best: number;
  bad: number;
  factor: number;
}

/** A fresh plateau state. */
export const newPlateau = (): PlateauState => ({ best: Infinity, bad: 0, factor: 1 });

/** Records an epoch's monitored loss; true when it improved on the best by more than tol (relative). */
export function improved(s: PlateauState, loss: number, tol: number): boolean {
  if (loss < s.best * (1 - tol) || s.best === Infinity) {
    s.best = loss;
    s.bad = 0;
    return true;
  }
  s.bad++;
  return false;
}

/** The rates of a run: `rate(t)` for step t (0-based, global across epochs). */
export class LrSchedule {
  readonly plateau: PlateauState = newPlateau();
  private readonly period: number;

  constructor(private readonly lr: number, private readonly p: ScheduleParams, stepsPerEpoch: number, private readonly totalSteps: number) {
    this.period = Math.max(1, p.stepEvery || stepsPerEpoch);
  }

  /** The rate of step t. */
  rate(t: number): number {
    const { p } = this;
    let f = 1;
    switch (p.lrSchedule) {
      case 'constant': break;
      case 'step': f = p.decay ** Math.floor(t / this.period); break;
      case 'exponential': f = p.decay ** (t / this.period); break;
      case 'invscaling': f = 1 / (t + 1) ** p.power; break;
      case 'cosine': f = 0.5 * (1 + Math.cos((Math.PI * Math.min(t, this.totalSteps)) / Math.max(1, this.totalSteps))); break;
      case 'plateau': f = this.plateau.factor; break;
    }
    const warm = p.warmup > 0 ? Math.min(1, (t + 1) / p.warmup) : 1;
    return this.lr * f * warm;
  }

  /** plateau: records an epoch's monitored loss; true when the rate was just lowered by γ. */
  observe(loss: number): boolean {
    if (this.p.lrSchedule !== 'plateau' || improved(this.plateau, loss, this.p.tol) || this.plateau.bad < this.p.patience) return false;
    this.plateau.factor *= this.p.decay;
    this.plateau.bad = 0;
    return true;
  }
}
