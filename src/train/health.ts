// Training health: divergence found from the loss trend as well as from NaN or Infinity — for every optimizer, and
// bounded divergence too: a run whose objective ends above where it started has failed, unless the caller keeps it —
// and the final checks that the model and its metrics are finite before a caller can save or report them. The advice
// fits the cause: values whose squares overflow the backend's floats (named by row and column), an L2 strength or a
// decoupled weight decay whose step shrinks the weights by more than they are (--alpha, --weight-decay), features of
// very different scales (--standardize), or a learning rate too large for the data's scale (a safer one estimated from
// that scale, or an adaptive optimizer's usual rate).
import type { BackendKind } from '../backend';
import type { LossUnit, MultiLoss, ScalarLoss } from '../core/losses';
import { LOSSES } from '../core/losses';
import type { Metrics } from '../core/metrics';
import type { ModelParams } from '../core/model';
import type { TrainSpec } from '../core/spec';
import { DataError } from '../data/csv';
import type { DataSource } from '../data/source';

/** Why a run diverged, as far as the data and the settings tell. */
export type DivergenceCause = 'learning-rate' | 'scale' | 'overflow' | 'alpha' | 'weight-decay';

/** A value whose square overflows the backend's floats. */
export interface OverflowAt {
  /** 1-based row of the source. */
  row: number;
  column: string;
  value: number;
}

/** Training diverged: the loss became NaN or Infinity, or grew by orders of magnitude. */
export class DivergedError extends Error {
  override name = 'DivergedError';
  /** 1-based epoch in which it was found (the last epoch when the final evaluation found it). */
  readonly epoch: number;
  /** The loss that gave it away: the epoch's mean batch loss or the final mean loss. */
  readonly loss: number;
  /** The learning rate of the run. */
  readonly lr: number;
  /** A learning rate estimated to be stable for this data, or null where the learning rate is not the cause. */
  readonly suggestedLr: number | null;
  /** What the data suggests caused it. */
  readonly reason: DivergenceCause;
  /** The value that overflows, when that is the cause. */
  readonly overflow: OverflowAt | null;

  constructor(o: {
    epoch: number; loss: number; lr: number; suggestedLr: number | null; reason: DivergenceCause; overflow?: OverflowAt | null;
    /** What gave it away, e.g. "mean batch loss Infinity". */
    what: string;
    /** What to do about it. */
    advice: string;
  }) {
    super(`training diverged in epoch ${o.epoch} (${o.what}): ${o.advice}`);
    this.epoch = o.epoch;
    this.loss = o.loss;
    this.lr = o.lr;
    this.suggestedLr = o.suggestedLr;
    this.reason = o.reason;
    this.overflow = o.overflow ?? null;
  }
}

/** Largest finite float32 and float64. */
const F32_MAX = 3.4028234663852886e38;
const F64_MAX = Number.MAX_VALUE;
/** Rows read to estimate the data's scale once a run has diverged. */
const DIAGNOSIS_ROWS = 1 << 20;
/** A loss this many times its minimum, and `FIRST_FACTOR` times the first epoch's, is diverging. */
const GROWTH = 100;
const FIRST_FACTOR = 10;

/** What one pass over (the start of) the data says about its scale. */
export interface DataScale {
  rows: number;
  /** Mean of x_j² per feature. */
  meanSquares: Float64Array;
  /** The value of largest magnitude, target included. */
  largest: OverflowAt;
}

/** Mean squares per feature and the largest value over the first `maxRows` rows of a source. */
export async function dataScale(source: DataSource, maxRows = DIAGNOSIS_ROWS): Promise<DataScale> {
  const d = source.features.length;
  const sq = new Float64Array(d);
  const largest: OverflowAt = { row: 0, column: source.features[0] ?? '', value: 0 };
  let rows = 0;
  for await (const c of source.read({ maxRows: Math.min(maxRows, Math.max(1, Math.floor((1 << 22) / Math.max(1, d)))) })) {
    const first = c.firstRow ?? rows;
    const n = Math.min(c.rows, maxRows - rows);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < d; j++) {
        const v = c.x[r * d + j];
        sq[j] += v * v;
        if (!(Math.abs(v) <= Math.abs(largest.value))) Object.assign(largest, { row: first + r + 1, column: source.features[j], value: v });
      }
      const t = c.y[r];
      if (!(Math.abs(t) <= Math.abs(largest.value))) Object.assign(largest, { row: first + r + 1, column: source.target, value: t });
    }
    rows += n;
    if (rows >= maxRows) break;
  }
  return { rows, meanSquares: sq.map((s) => s / Math.max(1, rows)), largest };
}

/** Probes of dL/dz: f(z, t) for a scalar loss; the first output's derivative for a multiclass one. */
function dzOf(unit: LossUnit, spec: TrainSpec): (z: number, t: number) => number {
  if (unit.task === 'multiclass') {
    const z2 = new Float64Array(2);
    const g = new Float64Array(2);
    return (z, t) => {
      z2[0] = z;
      (unit as MultiLoss).valueDz(z2, t > 0.5 ? 1 : 0, g);
      return g[0];
    };
  }
  const hp = unit.hp(spec);
  return (z, t) => (unit as ScalarLoss).dz(z, t, hp);
}

/**
 * The loss's largest curvature d²L/dz², from its own dL/dz by central differences over z in [−4, 4] (targets 0 and
 * 1). Points whose estimate changes with the step are kinks (no curvature a smaller step could tame) and are
 * skipped; a loss with bounded slope everywhere (hinge, quantile) counts as curvature 1.
 */
export function lossCurvature(unit: LossUnit, spec: TrainSpec): number {
  const dz = dzOf(unit, spec);
  let c = 0;
  for (const t of [0, 1]) {
    for (let z = -4; z <= 4; z += 0.05) {
      const slope = (h: number) => (dz(z + h, t) - dz(z - h, t)) / (2 * h);
      const a = slope(1e-3);
      const b = slope(5e-4);
      if (Number.isFinite(a) && Math.abs(a - b) <= 1e-3 * Math.max(1, Math.abs(a))) c = Math.max(c, Math.abs(a));
    }
  }
  return c > 0 ? c : 1;
}

/** Rounds down to one significant digit (0.0347 → 0.03). */
function roundDown(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  // One significant digit, printed as written (3e-5, not 0.000030000000000000004); the nudge keeps 3e-5 from flooring to 2e-5.
  return Number((Math.floor((v / p) * (1 + 1e-12)) * p).toPrecision(1));
}

/** Optimizers whose step is about the learning rate per weight whatever the gradient's size (normalized by its running root mean square). */
const ADAPTIVE = new Set(['adagrad', 'rmsprop', 'adam', 'adamw']);
/** A rate adaptive optimizers usually start from (Adam's published default). */
const ADAPTIVE_LR = 0.001;
/** How far above its start an objective may end before the run counts as failed: an exact start, or one batch's estimate. */
const START_MARGIN = { exact: 1e-3, batch: 0.05 } as const;

/** The objective a run started from: over all training rows (exact), or the first batch's loss (streamed data). */
export interface StartObjective {
  value: number;
  kind: keyof typeof START_MARGIN;
}

/** Tracks a run's losses and turns divergence into a DivergedError with advice for its cause. */
export class TrainingHealth {
  private first = NaN;
  private min = Infinity;
  private epochs = 0;
  private start: StartObjective | null = null;

  /** `keep`: return a bounded divergence (objective above its start) instead of throwing; unbounded ones still throw. */
  constructor(private readonly source: DataSource, private readonly spec: TrainSpec, private readonly backend: BackendKind, private readonly keep = false) {}

  /** The objective at the starting parameters, which the final objective must not exceed. */
  started(s: StartObjective): void {
    if (Number.isFinite(s.value)) this.start = s;
  }

  /**
   * After the final metrics: whether the objective ended above where it started (a failed run). Throws a DivergedError
   * unless the run keeps diverged results; returns the message when kept, else null.
   */
  async ended(objective: number): Promise<string | null> {
    const s = this.start;
    if (!s || !Number.isFinite(objective) || this.epochs === 0) return null;
    if (!(objective > s.value + START_MARGIN[s.kind] * Math.max(1e-12, Math.abs(s.value)))) return null;
    const where = s.kind === 'exact' ? 'over the training rows' : 'on the first batch';
    const what = `final objective ${objective.toPrecision(4)}, above its start ${s.value.toPrecision(4)} ${where}`;
    if (this.keep) return `the run ended worse than it started (${what}); kept as asked`;
    throw await this.diverged(Math.max(1, this.epochs), objective, what);
  }

  /** Checks an epoch's mean batch loss (epoch is 0-based); throws a DivergedError when the run diverges. */
  async epoch(epoch: number, loss: number, steps: number): Promise<void> {
    if (steps === 0) return;
    this.epochs = epoch + 1;
    await this.check(epoch + 1, loss, 'mean batch loss');
    if (Number.isNaN(this.first)) this.first = loss;
    this.min = Math.min(this.min, loss);
  }

  /** The final checks: finite parameters and metrics (R² may be NaN for a constant target), and the loss trend. */
  async final(params: ModelParams, metrics: Metrics, skipMetrics = false): Promise<void> {
    const epoch = Math.max(1, this.epochs);
    // A loop, not a spread: 2^24 hashed weights would make a JS array of ~1 GB.
    const bad = firstNonFinite(params.weights) ?? firstNonFinite(params.bias);
    if (bad !== undefined) throw await this.diverged(epoch, bad, `a trained parameter is ${bad}`);
    if (skipMetrics) return;
    if (metrics.rows === 0) {
      const why = this.spec.validation > 0 ? `--validation ${this.spec.validation} held out every row; use a smaller share or more data` : 'the data has no rows';
      throw new DataError(this.source.description, null, null, `no rows left to train on: ${why}`);
    }
    const values = metrics.task === 'regression' ? [metrics.loss, metrics.mse, metrics.mae] : [metrics.loss, metrics.accuracy, metrics.logLoss ?? 0];
    const nonFinite = values.find((v) => !Number.isFinite(v));
    if (nonFinite !== undefined) throw await this.diverged(epoch, nonFinite, `a final metric is ${nonFinite}`);
    await this.check(epoch, metrics.loss, 'final mean loss');
  }

  private async check(epoch: number, loss: number, what: string): Promise<void> {
    if (!Number.isFinite(loss)) throw await this.diverged(epoch, loss, `${what} ${loss}`);
    if (loss > GROWTH * this.min && loss > FIRST_FACTOR * this.first) {
      throw await this.diverged(epoch, loss, `${what} ${loss.toPrecision(3)}, up from ${this.min.toPrecision(3)}`);
    }
  }

  /** Reads the data's scale and builds the error with the advice that fits. */
  private async diverged(epoch: number, loss: number, what: string): Promise<DivergedError> {
    const { spec } = this;
    const settings = settingsCause(spec);
    const scale = await dataScale(this.source);
    const limit = this.backend === 'webgpu' ? F32_MAX : F64_MAX;
    const floats = this.backend === 'webgpu' ? 'float32' : 'float64';
    const batch = Math.min(spec.batch, Math.max(1, scale.rows));
    const big = scale.largest;
    if (big.value * big.value * batch > limit / 4) {
      const advice = `values overflow ${floats}: row ${big.row} (column "${big.column}") is ${big.value.toPrecision(3)}, whose square summed ` +
        `over a batch exceeds ${floats}'s range (${limit.toPrecision(2)}); rescale that column (e.g. divide it by a power of 10)`;
      return new DivergedError({ epoch, loss, lr: spec.lr, suggestedLr: null, reason: 'overflow', overflow: big, what, advice });
    }
    if (settings) return new DivergedError({ epoch, loss, lr: spec.lr, suggestedLr: null, reason: settings.reason, what, advice: settings.advice });
    if (ADAPTIVE.has(spec.optimizer)) {
      const suggestedLr = spec.lr > ADAPTIVE_LR ? ADAPTIVE_LR : roundDown(spec.lr / 10);
      const advice = `the learning rate ${spec.lr} is too large: --optimizer ${spec.optimizer} moves each weight by about the learning rate per step, ` +
        `far more than this model's weights need; try --lr ${suggestedLr}`;
      return new DivergedError({ epoch, loss, lr: spec.lr, suggestedLr, reason: 'learning-rate', what, advice });
    }
    const ms = scale.meanSquares;
    const sum = spec.standardize ? ms.length : ms.reduce((a, b) => a + b, 0);
    const curvature = lossCurvature(LOSSES[spec.loss], spec) * (sum + (spec.fitBias ? 1 : 0)) + (spec.penalty === 'none' ? 0 : spec.alpha);
    const bound = roundDown(1 / curvature);
    const suggestedLr = bound < spec.lr ? bound : roundDown(spec.lr / 10);
    const positive = [...ms].filter((v) => v > 0);
    const spread = positive.length > 1 ? positive.reduce((a, b) => Math.max(a, b)) / positive.reduce((a, b) => Math.min(a, b)) : 1;
    const badScale = !spec.standardize && spread > 1e4;
    const why = bound < spec.lr ? `the learning rate ${spec.lr} is too large for this data's scale` : `the learning rate ${spec.lr} is too large`;
    const std = badScale ? ` or standardize the features (--standardize: their mean squares differ by ${roundDown(spread).toExponential(0)}×)` : '';
    return new DivergedError({ epoch, loss, lr: spec.lr, suggestedLr, reason: badScale ? 'scale' : 'learning-rate', what, advice: `${why}; try --lr ${suggestedLr}${std}` });
  }
}

/**
 * A divergence the settings explain by themselves: an L2 strength whose gradient step lr·α overshoots (each step
 * multiplies the weights by 1 − lr·α, which must stay within (−1, 1): lr·α < 2), or a decoupled decay lr·λ ≥ 1 that
 * flips or grows the weights. Null when neither holds.
 */
function settingsCause(spec: TrainSpec): { reason: DivergenceCause; advice: string } | null {
  const l2 = spec.penalty === 'l2' ? spec.alpha : spec.penalty === 'elasticnet' ? spec.alpha * (1 - spec.l1Ratio) : 0;
  if (!ADAPTIVE.has(spec.optimizer) && spec.lr * l2 >= 2) {
    return {
      reason: 'alpha',
      advice: `--alpha ${spec.alpha} is too strong for --lr ${spec.lr}: each step multiplies the weights by 1 − lr·α = ${(1 - spec.lr * l2).toPrecision(3)}, ` +
        `which overshoots zero by more than it shrinks; use lr·α < 2: a smaller --alpha (< ${roundDown(2 / spec.lr)}) or --lr (< ${roundDown(2 / l2)})`,
    };
  }
  if (spec.optimizer === 'adamw' && spec.lr * spec.weightDecay >= 1) {
    return {
      reason: 'weight-decay',
      advice: `--weight-decay ${spec.weightDecay} with --lr ${spec.lr} multiplies the weights by 1 − lr·λ = ${(1 - spec.lr * spec.weightDecay).toPrecision(3)} ` +
        `each step, flipping them; use lr·λ < 1: a smaller --weight-decay (< ${roundDown(1 / spec.lr)}) or --lr`,
    };
  }
  return null;
}

/** The first value that is not finite, if any. */
function firstNonFinite(a: Float64Array): number | undefined {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return a[i];
  return undefined;
}
