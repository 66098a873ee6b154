// What a run reports: each epoch, progress inside an epoch, and the outcome. Plain data shared by the epoch loop,
// the solvers, checkpoints and every caller (CLI, page, library).
import type { Metrics } from '../core/metrics';
import type { ModelParams, Standardization } from '../core/model';
import type { Gap } from '../core/solver/gap';
import type { Iteration } from '../core/solver/newton';
import type { ExactSummary } from '../core/solver/report';
import type { TrainSpec } from '../core/spec';
import type { EarlyStop } from './run_state';

/** What an iterative solver did (--solver newton, lbfgs, dcd, smoothing). */
export interface SolverSummary {
  solver: string;
  /** Each iteration: passes so far, objective, gradient norm, decrement (or decrease), step. */
  iterations: Iteration[];
  passes: number;
  converged: boolean;
  /** Why it stopped. */
  reason: string;
  seconds: number;
}

/** One α of a regularization path (--alpha-path), on all training rows or (cross-validating) on one fold's. */
export interface PathStep {
  /** 0-based position on the path. */
  index: number;
  alpha: number;
  /** Weights not zero (all of them, K × D). */
  nonzeros: number;
  /** Training objective: mean loss + the penalty at this α (in the units the model trains in). */
  objective: number;
  /** The mean training loss without the penalty. */
  loss: number;
  /** Metrics over the held-out rows (--validation, or the fold's own while cross-validating). */
  validation?: Metrics;
  iterations: number;
  /** Passes over the data this α took. */
  passes: number;
  converged: boolean;
  /** Cross-validation: the fold (0-based) these rows leave out; absent on the path over all rows. */
  fold?: number;
}

/** Cross-validation over a path (--cv k): the held-out loss of each α in each fold and the α picked. */
export interface CvReport {
  k: number;
  rule: 'min' | '1se';
  /** Per α: the mean over folds of the held-out mean loss, and its standard error. */
  mean: number[];
  se: number[];
  /** The α with the least mean (index on the path), and the one the rule picked. */
  best: number;
  chosen: number;
  /** Per fold: training and held-out rows, the held-out mean loss of each α, the held-out metrics at the chosen α. */
  folds: { fold: number; rows: number; heldRows: number; loss: number[]; metrics: Metrics }[];
}

/** A regularization path's outcome: every α's step, the one whose model the result holds, and why. */
export interface PathReport {
  alphaMax: number;
  alphas: number[];
  steps: PathStep[];
  /** Index of the α whose model `params` holds. */
  chosen: number;
  /** Why that α: the cross-validation rule, the least validation loss, or the path's end. */
  choice: string;
  cv?: CvReport;
}

/** What one epoch did. */
export interface EpochReport {
  epoch: number;
  /** Mean of the epoch's batch losses (each taken before its step's update). */
  loss: number;
  seconds: number;
  steps: number;
  /** Metrics over all training rows after the epoch, when `evaluateEachEpoch`. */
  metrics?: Metrics;
  /** Metrics over the held-out rows after the epoch, when `validation` > 0. */
  validation?: Metrics;
  /** Parameters after the epoch in original units (read back only when there is an `onEpoch` listener). */
  params?: ModelParams;
  /** The optimality gap after the epoch (--gap). */
  gap?: Gap;
  /** The learning rate of the epoch's last step. */
  lr: number;
}

/** Progress inside an epoch. */
export interface Progress {
  epoch: number;
  rowsDone: number;
  /** Training rows per epoch (NaN while the first pass over a CSV has not finished). */
  rowsTotal: number;
  loss: number;
  elapsed: number;
}

/** The outcome of a training run. */
export interface TrainResult {
  /** The settings it ran with, defaults filled in. */
  spec: TrainSpec;
  /** Class labels in index order for a classification loss, else null. */
  classes: string[] | null;
  /** Parameters in original units: K × D weights and K biases (K = 1 but for multiclass). */
  params: ModelParams;
  /** Final mean loss plus the penalty of the trained weights (in the units they were trained in). */
  objective: number;
  /** Kept with `keepDiverged`: why the run counts as failed (its objective ended above where it started); else null. */
  endedWorse: string | null;
  /** Whether `params` are the running (Polyak–Ruppert) average of the iterates. */
  averaged: boolean;
  /** When early stopping ended the run: which epoch's weights were kept and why. */
  earlyStop: EarlyStop | null;
  /** Whether the run was stopped (its signal aborted) before its last epoch. */
  stopped: boolean;
  standardization?: Standardization;
  epochs: EpochReport[];
  /** Metrics over all training rows at the final parameters. */
  final: Metrics;
  validation?: Metrics;
  secondsPerEpoch: number;
  uploadSeconds: number;
  /** Seconds spent compiling the backend's kernels before training started (not part of secondsPerEpoch). */
  compileSeconds: number;
  backend: string;
  device: string;
  rows: number;
  validationRows: number;
  d: number;
  features: string[];
  target: string;
  streamed: boolean;
  chunkRows: number[];
  /** Rows skipped as bad by the source. */
  skipped: number;
  /** The exact solver's findings (--solver exact, --gap, --precondition), the final gap and the gap after each epoch (--gap). */
  exact?: ExactSummary;
  gap?: Gap;
  gapHistory?: number[];
  /** An iterative solver's report (--solver newton, lbfgs, dcd, smoothing). */
  solve?: SolverSummary;
  /** The regularization path (--alpha-path) and cross-validation (--cv). */
  path?: PathReport;
}
