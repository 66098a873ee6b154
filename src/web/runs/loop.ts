// The page's training loop, on the page (WebGPU) and in the CPU worker alike; no DOM. Resident data trains in
// one engine call that reports the model and metrics after every epoch (the fitted line moves, the table
// fills), with the CLI's seeded order. Data too large to hold streams through one call.
// Pause and Stop reach the engine through its `pause` hook and abort signal, so they act within an epoch; a run
// hands out checkpoints now and then (kept by its worker so a reloaded page can resume it) and resumes from one.
// Resident data is kept between runs for the same dataset and the same kind of targets; a validation split
// trains from the source in one call that holds the split's rows out while reading.
import type { Backend } from '../../backend';
import { LOSSES, type LossKind } from '../../core/losses';
import type { Metrics } from '../../core/metrics';
import type { ModelParams, Standardization } from '../../core/model';
import { applyingSettings, type TrainSpec } from '../../core/spec';
import type { DataSource } from '../../data/source';
import { targetKind } from '../../train/targets';
import type { ExactSummary } from '../../core/solver/report';
import type { EarlyStop } from '../../train/run_state';
import { train, trainResident, uploadDataset, type ResidentData } from '../../train/train';
import { type EpochReport, type PathReport, type SolverSummary, type TrainResult } from '../../train/report';
import { type RunPhase, type TrainOptions } from '../../train/plan';
import { parseCheckpoint, type Checkpoint } from '../../train/checkpoint';

/** What the loop is told to do: the training spec, and how often to report. */
export interface LoopOptions {
  spec: TrainSpec;
  /** Loss points wanted per epoch on the live chart (default 50). */
  pointsPerEpoch?: number;
  /** Epochs of fewer steps than this report their loss once (default 20): readbacks cost more than tiny epochs. */
  smallEpoch?: number;
  /** Continue the run this checkpoint text (serializeCheckpoint) recorded: a run resumed after a reload. */
  resume?: string;
}

/** One finished (or, when stopped, partial) epoch. */
export interface EpochPoint {
  epoch: number;
  /** Mean batch loss of the epoch. */
  loss: number;
  seconds: number;
  /** Metrics over all rows after the epoch (resident data). */
  metrics: Metrics | null;
  /** The model after the epoch (resident data). */
  params: ModelParams | null;
  /** Metrics over the held-out rows after the epoch (a validation split). */
  validation?: Metrics | null;
  /** The optimality gap (loss − loss*)/loss* after the epoch, when asked for (Report the optimality gap). */
  gap?: number | null;
}

/** A sampled batch loss (steps count from the start of the run). */
export interface StepPoint {
  step: number;
  loss: number;
  /** Epochs done, with the share of the current one (for the progress line). */
  done: number;
}

/** What a run ended with. */
export interface LoopResult {
  /** Parameters in original units: K × D weights, K biases. */
  params: ModelParams;
  /** Class labels in index order (classification), else null. */
  classes: string[] | null;
  /** The feature scaling trained under (the parameters already undo it). */
  standardization?: Standardization;
  epochsDone: number;
  stopped: boolean;
  secondsPerEpoch: number;
  /** Seconds spent compiling the backend's kernels before the first epoch (not part of secondsPerEpoch). */
  compileSeconds: number;
  metrics: Metrics | null;
  /** Metrics over the held-out rows (a validation split), else null. */
  validation: Metrics | null;
  /** Training rows (without the held-out ones). */
  rows: number;
  validationRows: number;
  /** When early stopping ended the run: the epoch whose weights were kept, the last epoch run and why. */
  earlyStop: EarlyStop | null;
  /** The optimality gap after each epoch, when asked for. */
  gapHistory: number[] | null;
  /** What the exact solver found (a solve, the gap or the preconditioner): rank, condition number, warnings. */
  exact: ExactSummary | null;
  /** Whether a solver (exact, newton, lbfgs, dcd, smoothing) trained the model rather than gradient descent. */
  solved: boolean;
  /** An iterative solver's iterations, passes and why it stopped. */
  solve: SolverSummary | null;
  /** The regularization path (--alpha-path) and its cross-validation. */
  path: PathReport | null;
}

const YIELD_MS = 50;

/** Pause, Resume and Stop for a run. */
export class RunControl {
  private paused = false;
  private wake: (() => void) | null = null;
  private lastYield = 0;
  private readonly abort = new AbortController();

  constructor(private readonly onPause: () => void = () => {}) {}

  /** The engine's abort signal: Stop ends the run after the current loss window, keeping the model. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  pause(): void {
    if (!this.stopped) this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  stop(): void {
    this.abort.abort();
    this.resume();
  }

  /** The engine's pause hook: holds while paused, and now and then yields so messages and paints get in. */
  readonly hook = async (): Promise<void> => {
    if (this.paused) this.onPause();
    while (this.paused) await new Promise<void>((r) => (this.wake = r));
    if (performance.now() - this.lastYield > YIELD_MS) {
      await new Promise((r) => setTimeout(r, 0));
      this.lastYield = performance.now();
    }
  };
}

/** Events the loop reports. */
export interface LoopEvents {
  onStep?: (p: StepPoint) => void;
  onEpoch?: (e: EpochPoint) => void;
  onPause?: () => void;
  /** A phase before the first epoch: 'compiling' (the backend's kernels for this model), then 'training'. */
  onPhase?: (phase: RunPhase) => void;
  /** Told a checkpoint now and then (every thousandth of the run's epochs, at most every CHECKPOINT_SECONDS). */
  onCheckpoint?: (c: Checkpoint) => Promise<void>;
}

/** The fewest seconds between two checkpoints a run hands on. */
const CHECKPOINT_SECONDS = 2;

/** The engine's checkpoint options for the loop's events: every thousandth of the epochs, at most every 2 s. */
function checkpointing(o: LoopOptions, ev: LoopEvents): Partial<TrainOptions> {
  const out: Partial<TrainOptions> = o.resume ? { resume: parseCheckpoint(o.resume, 'the interrupted run') } : {};
  const write = ev.onCheckpoint;
  if (!write) return out;
  let last = -Infinity;
  const onCheckpoint = async (c: Checkpoint) => {
    if (performance.now() - last < CHECKPOINT_SECONDS * 1000) return;
    last = performance.now();
    await write(c);
  };
  return { ...out, onCheckpoint, checkpointEpochs: Math.max(1, Math.ceil(o.spec.epochs / 1000)) };
}

function engineOptions(o: LoopOptions, c: RunControl, rows: number | null, ev: LoopEvents, stepBase: () => number): TrainOptions {
  const batch = rows === null ? o.spec.batch : Math.min(o.spec.batch, rows);
  const perEpoch = rows === null ? 1000 : Math.ceil(rows / batch);
  // Only the settings that apply (the engine refuses a batch size for the exact solver, say).
  const settings = applyingSettings(o.spec);
  return {
    ...settings, ...(settings.batch !== undefined ? { batch } : {}),
    lossEvery: perEpoch < (o.smallEpoch ?? 20) ? perEpoch : Math.max(1, Math.ceil(perEpoch / (o.pointsPerEpoch ?? 50))),
    signal: c.signal, pause: c.hook, onPhase: ev.onPhase, ...checkpointing(o, ev),
    onProgress: (p) => ev.onStep?.({
      step: stepBase() + p.epoch * perEpoch + Math.ceil(p.rowsDone / batch), loss: p.loss,
      done: p.epoch + (p.rowsTotal > 0 ? Math.min(1, p.rowsDone / p.rowsTotal) : 0),
    }),
  };
}

/** What a run ended with, from the engine's result. */
function loopResult(r: TrainResult, c: RunControl): LoopResult {
  return {
    params: r.params, classes: r.classes, standardization: r.standardization, epochsDone: r.epochs.length, stopped: c.stopped,
    secondsPerEpoch: r.secondsPerEpoch, compileSeconds: r.compileSeconds, metrics: r.final, validation: r.validation ?? null, rows: r.rows, validationRows: r.validationRows,
    earlyStop: r.earlyStop ?? null, gapHistory: r.gapHistory ?? null, exact: r.exact ?? null, solved: r.spec.solver !== 'gd',
    solve: r.solve ?? null, path: r.path ?? null,
  };
}

/** An epoch as the page shows it; `full`: with the metrics and the model (resident data, a validation split). */
function point(e: EpochReport, full: boolean): EpochPoint {
  return {
    epoch: e.epoch + 1, loss: e.loss, seconds: e.seconds, metrics: full ? e.metrics ?? null : null, params: full ? e.params ?? null : null,
    validation: e.validation ?? null, gap: e.gap?.gap ?? null,
  };
}

/** Trains on resident data in one engine call, reporting each epoch's metrics and parameters, until done or stopped. */
export async function runResident(backend: Backend, data: ResidentData, o: LoopOptions, c: RunControl, ev: LoopEvents = {}): Promise<LoopResult> {
  const r = await trainResident(backend, data, {
    ...engineOptions(o, c, data.rows, ev, () => 0),
    evaluateEachEpoch: true,
    onEpoch: (e) => ev.onEpoch?.(point(e, true)),
  });
  return loopResult(r, c);
}

/**
 * Trains with a validation split (or cross-validation's folds): the engine reads the source, holding out a seeded share of rows, and
 * reports each epoch's model, training metrics and held-out metrics (nothing stays resident: the split is made
 * while reading).
 */
export async function runHeldOut(backend: Backend, source: DataSource, o: LoopOptions, c: RunControl, ev: LoopEvents = {}): Promise<LoopResult> {
  const r = await train(backend, source, {
    ...engineOptions(o, c, source.rows, ev, () => 0),
    evaluateEachEpoch: true,
    onEpoch: (e) => ev.onEpoch?.(point(e, true)),
  });
  return loopResult(r, c);
}

/** Trains on a source streamed every epoch, in one engine call; the model is known when it ends. */
export async function runStreamed(backend: Backend, source: DataSource, o: LoopOptions, c: RunControl, ev: LoopEvents = {}): Promise<LoopResult> {
  const opts = engineOptions(o, c, source.rows, ev, () => 0);
  const r = await train(backend, source, {
    ...opts,
    onEpoch: (e) => ev.onEpoch?.(point(e, false)),
  });
  return loopResult(r, c);
}

/**
 * The last dataset a backend holds, keyed by the dataset and what its targets were prepared for (targetKind):
 * regression values and class indices are different uploads. A binary loss never reuses data of more than two
 * classes, so the engine's own message about the third class is what the user sees.
 */
export class ResidentCache {
  private held: { key: string; data: ResidentData } | null = null;

  constructor(private readonly backend: Backend) {}

  /** The data of `key` prepared for `loss`, uploading `open()`'s source when it is not held. */
  async get(key: string, loss: LossKind, open: () => Promise<DataSource>, signal?: AbortSignal): Promise<ResidentData> {
    const k = `${key}|${targetKind(loss)}`;
    const h = this.held;
    if (h?.key === k && !(LOSSES[loss].task === 'binary' && h.data.classes?.length !== 2)) return h.data;
    this.drop();
    const data = await uploadDataset(this.backend, await open(), { loss, signal });
    this.held = { key: k, data };
    return data;
  }

  /** Frees what is held. */
  drop(): void {
    this.held?.data.dispose();
    this.held = null;
  }
}
