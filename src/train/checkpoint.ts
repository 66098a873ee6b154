// Checkpoints: everything a run needs to continue exactly where it stopped — the spec, a fingerprint of the data,
// the standardization, the parameters and optimizer state (f64 on the CPU, f32 values from the GPU, both written
// exactly), the step counter, schedule and early-stopping state, and the position in the seeded batch order. Sealed by
// a checksum and checked field by field before a resume trusts it. Plain data; the CLI writes it atomically. No fs
// here: the page could keep one too.
import { checkSeal, sealed } from '../core/checksum';
import { Fields } from '../core/fields';
import type { PlateauState } from '../core/lr_schedule';
import { cloneParams, type ModelParams, type Standardization } from '../core/model';
import { OPTIMIZERS } from '../core/optim';
import type { OptimState } from '../core/optim/apply';
import { OptionError } from '../core/options';
import { parseTrainSpec, specRecord, type TrainSpec } from '../core/spec';
import type { RunStateData } from './run_state';
import type { EpochReport } from './report';

/** What identifies the data a run trained on (the CLI adds the file's size and modification time). */
export type DataFingerprint = Record<string, string | number | readonly string[] | null>;

/** The ranks of a distributed run and the rows each one reads (global row ranges [firstRow, firstRow + rows)). */
export interface RankRecord {
  size: number;
  /** Steps between model averages (1: gradients summed every step). */
  syncEvery: number;
  /** Rows per chunk: shares and the seeded batch order are cut at multiples of it. */
  chunkRows: number;
  shards: { rank: number; firstRow: number; rows: number }[];
}

/** A checkpoint. */
export interface Checkpoint {
  format: 'downhill.checkpoint';
  version: 1 | 2;
  /** The file it was read from (not written; messages name it). */
  file?: string;
  spec: TrainSpec;
  fingerprint: DataFingerprint;
  standardization: Standardization | null;
  /** Parameters in the space they are trained in (standardized units when standardizing). */
  params: ModelParams;
  state: OptimState;
  run: RunStateData;
  /** The epoch in progress (0-based) and the steps of it already taken. */
  epoch: number;
  step: number;
  /** The batch losses of the steps already taken in the epoch in progress. */
  epochLosses: number[];
  /** The finished epochs' reports. */
  epochs: EpochReport[];
  /** A distributed run's ranks (every rank is at the same step; absent for one process). */
  ranks?: RankRecord;
}

/** The checkpoint format version written (1: before checksums and field checks; still read, its fields checked). */
const CHECKPOINT_VERSION = 2;

const numbers = (a: ArrayLike<number>) => Array.from(a);
const params = (p: ModelParams) => ({ weights: numbers(p.weights), bias: numbers(p.bias) });

/** JSON text of a checkpoint: typed arrays as lists; ±Infinity and NaN as strings (JSON has none); sealed by a checksum. */
export function serializeCheckpoint(c: Checkpoint): string {
  const { file: _file, ...rest } = c;
  const data = {
    ...rest, version: CHECKPOINT_VERSION, spec: specRecordAll(c.spec), params: params(c.params),
    standardization: c.standardization && { mean: numbers(c.standardization.mean), invStd: numbers(c.standardization.invStd) },
    state: { slots: numbers(c.state.slots), average: c.state.average && params(c.state.average), averaged: c.state.averaged },
    run: { ...c.run, best: c.run.best && { epoch: c.run.best.epoch, params: params(c.run.best.params), averaged: c.run.best.averaged ?? false } },
    epochs: c.epochs.map(({ params: _p, ...e }) => e),
  };
  // Round-trip through JSON once so the sealed object holds exactly what the file will (strings for non-finite numbers).
  const plain = JSON.parse(JSON.stringify(data, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))) as object;
  return JSON.stringify(sealed(plain));
}

/** Every spec field (not only those that apply), JSON-safe. */
function specRecordAll(s: TrainSpec): Record<string, unknown> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' && !Number.isFinite(v) ? 'full' : v]));
}

const revive = (_k: string, v: unknown) => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === 'NaN' ? NaN : v);

/**
 * Parses checkpoint text and checks every field: the checksum (version 2), the spec, finite parameters and optimizer
 * state of matching sizes, the step counter, epoch and step consistent with the recorded epochs. Errors name the file
 * and the field. What depends on the data (features, rows per epoch) is checked again on resume (checkResumable).
 */
export function parseCheckpoint(text: string, file: string): Checkpoint {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not a checkpoint (invalid JSON: ${(e as Error).message}); the file may be truncated`);
  }
  const f = new Fields(file);
  const o = f.object(raw, '(top level)');
  if (o.format !== 'downhill.checkpoint') f.fail('format', 'must be "downhill.checkpoint": not a downhill checkpoint');
  if (o.version !== 1 && o.version !== CHECKPOINT_VERSION) f.fail('version', `must be 1 or ${CHECKPOINT_VERSION}, got ${JSON.stringify(o.version)}`);
  const c = JSON.parse(text, revive) as Record<string, unknown>;
  let spec: TrainSpec;
  try {
    spec = parseTrainSpec(f.object(c.spec, 'spec'), { strict: false });
  } catch (e) {
    return f.fail(`spec.${e instanceof OptionError ? e.option : '?'}`, `is not a valid setting: ${(e as Error).message}`);
  }
  const fp = f.object(c.fingerprint, 'fingerprint');
  const p = modelParams(f, c.params, 'params', null);
  const k = p.bias.length;
  const d = p.weights.length / k;
  const std = c.standardization === null ? null : f.object(c.standardization, 'standardization');
  const standardization = std && { mean: Float64Array.from(f.numbers(std.mean, 'standardization.mean', d)), invStd: Float64Array.from(f.numbers(std.invStd, 'standardization.invStd', d)) };
  const st = f.object(c.state, 'state');
  const slots = Float64Array.from(f.numbers(st.slots, 'state.slots', k * (d + 1) * OPTIMIZERS[spec.optimizer].slots));
  const average = st.average === null ? null : modelParams(f, st.average, 'state.average', p);
  const averaged = f.number(st.averaged, 'state.averaged', { int: true, min: 0 });
  const epoch = f.number(c.epoch, 'epoch', { int: true, min: 0, max: spec.epochs });
  const epochs = f.list(c.epochs, 'epochs', epoch).map((e, i) => epochReport(f, e, `epochs[${i}]`, i));
  const epochLosses = f.numbers(c.epochLosses, 'epochLosses');
  const step = f.number(c.step, 'step', { int: true, min: 0 });
  if (step !== epochLosses.length) f.fail('step', `must equal the ${epochLosses.length} batch losses recorded for the epoch in progress, got ${step}`);
  if (epoch === spec.epochs && step > 0) f.fail('step', `must be 0 once every epoch is done, got ${step}`);
  const run = runState(f, f.object(c.run, 'run'), spec, p);
  const ranks = c.ranks === undefined ? undefined : rankRecord(f, f.object(c.ranks, 'ranks'));
  const taken = epochs.reduce((a, e) => a + e.steps, 0) + step;
  if (run.t !== taken) f.fail('run.t', `must be ${taken}, the steps of the recorded epochs plus the ${step} of the epoch in progress; got ${run.t}`);
  if (averaged > run.t) f.fail('state.averaged', `must be at most the ${run.t} steps taken, got ${averaged}`);
  // Last, so that a named field's problem is reported as such; fields that all look right may still have changed.
  const seal = checkSeal(o);
  if (o.version === CHECKPOINT_VERSION && seal !== 'ok') {
    f.fail('checksum', seal === 'none' ? 'is missing' : 'does not match the content: the file changed after it was written (corrupt or edited); resume from another checkpoint or start again');
  }
  return {
    format: 'downhill.checkpoint', version: CHECKPOINT_VERSION, file, spec, fingerprint: fp as DataFingerprint, standardization, params: p,
    state: { slots, average, averaged }, run, epoch, step, epochLosses, epochs, ...(ranks ? { ranks } : {}),
  };
}

function rankRecord(f: Fields, o: Record<string, unknown>): RankRecord {
  const size = f.number(o.size, 'ranks.size', { int: true, min: 1 });
  const syncEvery = f.number(o.syncEvery, 'ranks.syncEvery', { int: true, min: 1 });
  const chunkRows = f.number(o.chunkRows, 'ranks.chunkRows', { int: true, min: 1 });
  let next = 0;
  const shards = f.list(o.shards, 'ranks.shards', size).map((v, i) => {
    const s = f.object(v, `ranks.shards[${i}]`);
    const rank = f.number(s.rank, `ranks.shards[${i}].rank`, { int: true, min: i, max: i });
    const firstRow = f.number(s.firstRow, `ranks.shards[${i}].firstRow`, { int: true, min: next, max: next });
    const rows = f.number(s.rows, `ranks.shards[${i}].rows`, { int: true, min: 1 });
    next = firstRow + rows;
    return { rank, firstRow, rows };
  });
  return { size, syncEvery, chunkRows, shards };
}

/**
 * Throws unless a checkpoint was written by a run with these ranks (null: one process): a resume continues on the
 * same number of ranks, with the same shares and the same --sync-every.
 */
export function checkRanks(c: Checkpoint, ranks: RankRecord | null): void {
  const f = new Fields(c.file ?? 'the checkpoint');
  const was = c.ranks;
  if (!was && !ranks) return;
  if (!was) return f.fail('ranks', `is absent: the checkpoint was written by one process; resume it with one process, not on ${ranks!.size} ranks`);
  if (!ranks) return f.fail('ranks', `says ${was.size} ranks wrote it; resume it on ${was.size} ranks (downhill launch -n ${was.size} -- train …)`);
  if (was.size !== ranks.size) f.fail('ranks.size', `is ${was.size}: resume on ${was.size} ranks, not ${ranks.size}`);
  if (was.syncEvery !== ranks.syncEvery) f.fail('ranks.syncEvery', `is ${was.syncEvery}; this run has --sync-every ${ranks.syncEvery}`);
  if (was.chunkRows !== ranks.chunkRows) f.fail('ranks.chunkRows', `is ${was.chunkRows}; this run cuts chunks of ${ranks.chunkRows} rows (give --chunk-rows ${was.chunkRows})`);
  was.shards.forEach((s, i) => {
    const now = ranks.shards[i];
    if (s.firstRow !== now.firstRow || s.rows !== now.rows) {
      f.fail(`ranks.shards[${i}]`, `holds rows ${s.firstRow + 1}…${s.firstRow + s.rows}; rank ${i} now reads ${now.firstRow + 1}…${now.firstRow + now.rows} (did the data change?)`);
    }
  });
}

/** Parameters: K ≥ 1 finite biases and K × D finite weights (D ≥ 1); the shape of `like` when given. */
function modelParams(f: Fields, v: unknown, field: string, like: ModelParams | null): ModelParams {
  const o = f.object(v, field);
  const bias = f.numbers(o.bias, `${field}.bias`, like?.bias.length);
  if (!like && bias.length < 1) f.fail(`${field}.bias`, 'must hold at least one number');
  const weights = f.numbers(o.weights, `${field}.weights`, like?.weights.length);
  if (!like && (weights.length === 0 || weights.length % bias.length !== 0)) {
    f.fail(`${field}.weights`, `must hold D numbers per bias (${bias.length}), got ${weights.length}`);
  }
  return { weights: Float64Array.from(weights), bias: Float64Array.from(bias) };
}

function epochReport(f: Fields, v: unknown, field: string, index: number): EpochReport {
  const e = f.object(v, field);
  f.number(e.epoch, `${field}.epoch`, { int: true, min: index, max: index });
  f.number(e.loss, `${field}.loss`, { finite: false });
  f.number(e.steps, `${field}.steps`, { int: true, min: 0 });
  f.number(e.seconds, `${field}.seconds`, { min: 0 });
  f.number(e.lr, `${field}.lr`, { min: 0 });
  return e as unknown as EpochReport;
}

function plateau(f: Fields, v: unknown, field: string): PlateauState {
  const o = f.object(v, field);
  return {
    best: f.number(o.best, `${field}.best`, { finite: false }), bad: f.number(o.bad, `${field}.bad`, { int: true, min: 0 }),
    factor: f.number(o.factor, `${field}.factor`, { min: 0 }),
  };
}

function runState(f: Fields, o: Record<string, unknown>, spec: TrainSpec, like: ModelParams): RunStateData {
  const t = f.number(o.t, 'run.t', { int: true, min: 0 });
  const b = o.best === null ? null : f.object(o.best, 'run.best');
  const best = b && {
    epoch: f.number(b.epoch, 'run.best.epoch', { int: true, min: 1, max: spec.epochs }),
    params: modelParams(f, b.params, 'run.best.params', like),
    averaged: b.averaged === undefined ? false : f.boolean(b.averaged, 'run.best.averaged'),
  };
  return { t, plateau: plateau(f, o.plateau, 'run.plateau'), early: plateau(f, o.early, 'run.early'), best };
}

/**
 * What a resume checks against the run's data: the model's features and outputs, and that no epoch took more steps than
 * an epoch has. Throws an error naming the file and the field.
 */
export function checkResumable(c: Checkpoint, run: { d: number; outputs: number; stepsPerEpoch: number }): void {
  const f = new Fields(c.file ?? 'the checkpoint');
  if (c.params.bias.length !== run.outputs) f.fail('params.bias', `holds ${c.params.bias.length} outputs; this run's model has ${run.outputs}`);
  if (c.params.weights.length !== run.d * run.outputs) f.fail('params.weights', `holds ${c.params.weights.length / run.outputs} features per output; the data has ${run.d}`);
  if (c.step >= run.stepsPerEpoch) f.fail('step', `must be below the ${run.stepsPerEpoch} steps of an epoch, got ${c.step}`);
  c.epochs.forEach((e, i) => {
    if (e.steps > run.stepsPerEpoch) f.fail(`epochs[${i}].steps`, `must be at most the ${run.stepsPerEpoch} steps of an epoch, got ${e.steps}`);
  });
}

/** What differs between a checkpoint and the run about to resume from it (empty when it may resume). */
export function checkpointMismatch(c: Checkpoint, spec: TrainSpec, fingerprint: DataFingerprint): string[] {
  const out: string[] = [];
  const a = specRecord(c.spec);
  const b = specRecord(spec);
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k !== 'epochs' && a[k] !== b[k]) out.push(`${k}: ${String(a[k] ?? '(unset)')} in the checkpoint, ${String(b[k] ?? '(unset)')} now`);
  }
  if (spec.epochs < c.epoch) out.push(`epochs: the checkpoint is at epoch ${c.epoch + 1}, past --epochs ${spec.epochs}`);
  for (const k of new Set([...Object.keys(c.fingerprint), ...Object.keys(fingerprint)])) {
    const x = JSON.stringify(c.fingerprint[k] ?? null);
    const y = JSON.stringify(fingerprint[k] ?? null);
    if (x !== y) out.push(`data ${k}: ${x} in the checkpoint, ${y} now`);
  }
  return out;
}

/** A copy of parameters (checkpoints never share arrays with a live session). */
export const snapshot = cloneParams;
