// What carries from epoch to epoch in one run: the global step counter t, the learning-rate schedule, where the
// running average starts, and early stopping's bookkeeping (the best monitored loss and the weights it had).
// Everything here is plain data so a checkpoint can hold it and a resumed run continues exactly.
import type { TrainSession, Which } from '../backend';
import { cloneParams, type ModelParams } from '../core/model';
import { improved, LrSchedule, newPlateau, type PlateauState } from '../core/lr_schedule';
import type { StepRuleOf } from '../core/schedule';
import type { TrainSpec } from '../core/spec';

/** Why and when early stopping ended a run. */
export interface EarlyStop {
  /** The epoch (1-based) whose weights were kept: the best monitored loss. */
  bestEpoch: number;
  /** The last epoch run (1-based). */
  stoppedAfter: number;
  bestLoss: number;
  reason: string;
}

/** The part of a run's state a checkpoint records. */
export interface RunStateData {
  t: number;
  plateau: PlateauState;
  early: PlateauState;
  /** The best epoch's weights, and whether they were the running average (averaging with early stopping). */
  best: { epoch: number; params: ModelParams; averaged?: boolean } | null;
}

/** Step numbering, rates, averaging and early stopping of one run. */
export class RunState {
  /** Steps taken so far (the next step's t). */
  t = 0;
  readonly schedule: LrSchedule;
  /** The 0-based global step where averaging starts (Infinity: no averaging). */
  readonly averageFrom: number;
  private early: PlateauState = newPlateau();
  private best: { epoch: number; params: ModelParams; averaged: boolean } | null = null;
  /** Set when early stopping ended the run. */
  stopped: EarlyStop | null = null;

  constructor(private readonly spec: TrainSpec, readonly stepsPerEpoch: number) {
    this.schedule = new LrSchedule(spec.lr, spec, stepsPerEpoch, stepsPerEpoch * spec.epochs);
    this.averageFrom = spec.average ? (spec.averageStart > 0 ? spec.averageStart - 1 : stepsPerEpoch) : Infinity;
  }

  /** Each step's rate and place in the running average, from its global number. */
  readonly rule: StepRuleOf = (t) => ({ lr: this.schedule.rate(t), average: t >= this.averageFrom ? t - this.averageFrom + 1 : 0 });

  /** The parameters results report: the running average once it has begun, else the current ones. */
  get which(): Which {
    return this.t > this.averageFrom ? 'average' : 'current';
  }

  /**
   * After an epoch: the plateau schedule sees the monitored loss (validation if any, else training); early stopping
   * keeps the best weights and says whether to stop. Returns true to stop.
   */
  async endEpoch(epoch: number, monitored: number, session: TrainSession): Promise<boolean> {
    this.schedule.observe(monitored);
    if (!this.spec.earlyStopping) return false;
    if (improved(this.early, monitored, this.spec.tol)) {
      this.best = { epoch: epoch + 1, params: await session.readModel(this.which), averaged: this.which === 'average' };
      return false;
    }
    if (this.early.bad < this.spec.patience) return false;
    this.stopped = {
      bestEpoch: this.best!.epoch, stoppedAfter: epoch + 1, bestLoss: this.early.best,
      reason: `the validation loss did not improve by more than ${this.spec.tol} (relative) for ${this.spec.patience} epochs`,
    };
    return true;
  }

  /** Early stopping's best weights (the running average's, when averaging had begun), to restore at the end; null when it kept none. */
  get bestParams(): { params: ModelParams; averaged: boolean } | null {
    return this.spec.earlyStopping && this.best ? { params: this.best.params, averaged: this.best.averaged } : null;
  }

  toData(): RunStateData {
    return { t: this.t, plateau: { ...this.schedule.plateau }, early: { ...this.early }, best: this.best && { epoch: this.best.epoch, params: cloneParams(this.best.params), averaged: this.best.averaged } };
  }

  restore(d: RunStateData): void {
    this.t = d.t;
    Object.assign(this.schedule.plateau, d.plateau);
    this.early = { ...d.early };
    this.best = d.best && { epoch: d.best.epoch, params: cloneParams(d.best.params), averaged: d.best.averaged ?? false };
  }
}
