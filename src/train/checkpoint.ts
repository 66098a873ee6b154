// Checkpoints: everything a run needs to continue exactly where it stopped — the spec, a fingerprint of the data,
// the standardization, the parameters and optimizer state (f64 on the CPU, f32 values from the GPU, both written
// exactly), the step counter, schedule and early-stopping state, and the position in the seeded batch order.
// Plain data; the CLI writes it atomically. No fs here: the page could keep one too.
import { cloneParams, type ModelParams, type Standardization } from '../core/model';
import type { OptimState } from '../core/optim/apply';
import { parseTrainSpec, specRecord, type TrainSpec } from '../core/spec';
import type { RunStateData } from './run_state';
import type { EpochReport } from './report';

/** What identifies the data a run trained on (the CLI adds the file's size and modification time). */
export type DataFingerprint = Record<string, string | number | readonly string[] | null>;

/** A checkpoint. */
export interface Checkpoint {
  format: 'downhill.checkpoint';
  version: 1;
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
}

const numbers = (a: ArrayLike<number>) => Array.from(a);
const params = (p: ModelParams) => ({ weights: numbers(p.weights), bias: numbers(p.bias) });
const toParams = (o: { weights: number[]; bias: number[] }): ModelParams => ({ weights: Float64Array.from(o.weights), bias: Float64Array.from(o.bias) });

/** JSON text of a checkpoint: typed arrays as lists; ±Infinity and NaN as strings (JSON has none). */
export function serializeCheckpoint(c: Checkpoint): string {
  const data = {
    ...c, spec: specRecordAll(c.spec), params: params(c.params),
    standardization: c.standardization && { mean: numbers(c.standardization.mean), invStd: numbers(c.standardization.invStd) },
    state: { slots: numbers(c.state.slots), average: c.state.average && params(c.state.average), averaged: c.state.averaged },
    run: { ...c.run, best: c.run.best && { epoch: c.run.best.epoch, params: params(c.run.best.params) } },
    epochs: c.epochs.map(({ params: _p, ...e }) => e),
  };
  return JSON.stringify(data, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

/** Every spec field (not only those that apply), JSON-safe. */
function specRecordAll(s: TrainSpec): Record<string, unknown> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' && !Number.isFinite(v) ? 'full' : v]));
}

/** Parses checkpoint text; errors name the file and what is wrong. */
export function parseCheckpoint(text: string, file: string): Checkpoint {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text, (_k, v) => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === 'NaN' ? NaN : v));
  } catch (e) {
    throw new Error(`${file}: not a checkpoint (invalid JSON: ${(e as Error).message})`);
  }
  if (o?.format !== 'downhill.checkpoint' || o.version !== 1) throw new Error(`${file}: not a downhill checkpoint (format "downhill.checkpoint", version 1)`);
  try {
    const c = o as unknown as Checkpoint & { params: { weights: number[]; bias: number[] }; state: { slots: number[]; average: { weights: number[]; bias: number[] } | null } };
    const std = c.standardization as unknown as { mean: number[]; invStd: number[] } | null;
    const best = c.run.best as unknown as { epoch: number; params: { weights: number[]; bias: number[] } } | null;
    return {
      ...c, spec: parseTrainSpec(c.spec as unknown as Record<string, unknown>, { strict: false }), params: toParams(c.params),
      standardization: std && { mean: Float64Array.from(std.mean), invStd: Float64Array.from(std.invStd) },
      state: { slots: Float64Array.from(c.state.slots), average: c.state.average && toParams(c.state.average), averaged: c.state.averaged },
      run: { ...c.run, best: best && { epoch: best.epoch, params: toParams(best.params) } },
    };
  } catch (e) {
    throw new Error(`${file}: a damaged checkpoint (${(e as Error).message})`);
  }
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
