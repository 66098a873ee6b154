// The trained model as the CLI saves it (core/model_file.ts: version 2, or 3 with the hashed columns' encoding, so
// that `downhill predict` hashes a file's rows as the page did; with the columns panel's means as `fill`, so that it fills
// blank cells alike), and the browser download of it.
import type { BackendKind } from '../../backend';
import type { Metrics } from '../../core/metrics';
import type { Encoding } from '../../core/encoding';
import type { ModelParams, Standardization } from '../../core/model';
import { toModelFile, type ModelFile } from '../../core/model_file';
import type { ExactSummary } from '../../core/solver/report';
import type { PathReport, SolverSummary } from '../../train/report';
import type { TrainSpec } from '../../core/spec';

/** What one backend's run produced. */
export interface TrainedModel {
  backend: BackendKind;
  device: string;
  params: ModelParams;
  /** Class labels in index order (classification), else null. */
  classes: string[] | null;
  standardization?: Standardization;
  metrics: Metrics | null;
  /** Metrics over the held-out rows (a validation split), else null. */
  validation: Metrics | null;
  epochsDone: number;
  stopped: boolean;
  /** Saved while the run was paused (the model after its last epoch). */
  paused?: boolean;
  secondsPerEpoch: number;
  /** Seconds spent compiling kernels before the first epoch (not part of secondsPerEpoch). */
  compileSeconds?: number;
  /** Mean batch loss of each epoch done. */
  epochLosses: number[];
  /** When early stopping ended the run. */
  earlyStop?: { bestEpoch: number; stoppedAfter: number; reason: string } | null;
  /** The optimality gap after each epoch, when asked for. */
  gapHistory?: number[] | null;
  /** What the exact solver found (a solve, the gap or the preconditioner). */
  exact?: ExactSummary | null;
  /** Whether a solver (not gradient descent) trained the model. */
  solved?: boolean;
  /** An iterative solver's summary and a regularization path, when there was one. */
  solve?: SolverSummary | null;
  path?: PathReport | null;
}

/** What the model was trained on. */
export interface TrainedOn {
  features: readonly string[];
  target: string;
  rows: number | null;
  description: string;
  /** The data's settings (a built-in dataset's fields, or the file's name and target). */
  data: Record<string, unknown>;
  /** How the sparse block was encoded (hashed text columns); the parameters then hold K × (features + width) weights. */
  encoding?: Encoding;
  /** The value blank cells of feature columns were read as (the columns panel's means), recorded for `predict`. */
  fill?: Readonly<Record<string, number>>;
}

/** The spec as the CLI would have it for an encoding: its hashed columns and hash bits (the page sets them per column). */
function withEncoding(spec: TrainSpec, e: Encoding | undefined): TrainSpec {
  if (!e?.hash) return spec;
  return { ...spec, hashed: e.categorical.filter((c) => c.kind === 'hash').map((c) => c.name).join(','), hashBits: e.hash.bits };
}

/** The model file for a model trained under `spec`, with what the page knows of the run in `training`. */
export function modelFileFor(m: TrainedModel, on: TrainedOn, spec: TrainSpec): ModelFile {
  const training = {
    epochs: m.epochsDone, backend: m.backend, device: m.device, stopped: m.stopped, ...(m.paused ? { paused: true } : {}), secondsPerEpoch: m.secondsPerEpoch,
    data: on.description, dataSettings: on.data, rows: on.rows, epochLosses: m.epochLosses,
    ...(m.earlyStop ? { earlyStop: m.earlyStop } : {}), ...(m.gapHistory ? { gapHistory: m.gapHistory } : {}), ...(m.exact ? { exact: m.exact } : {}),
    ...(m.solve ? { solve: { solver: m.solve.solver, iterations: m.solve.iterations.length, passes: m.solve.passes, converged: m.solve.converged, reason: m.solve.reason } } : {}),
    ...(m.path ? { path: { alphas: m.path.alphas, chosen: m.path.chosen, choice: m.path.choice, nonzeros: m.path.steps.map((s) => s.nonzeros) } } : {}),
    ...(m.validation ? { validationMetrics: m.validation } : {}),
  };
  return toModelFile(m.params, {
    spec: withEncoding(spec, on.encoding), features: [...on.features], target: on.target, classes: m.classes, ...(on.encoding ? { encoding: on.encoding } : {}),
    ...(on.fill ? { fill: { ...on.fill } } : {}),
    ...(m.standardization ? { standardization: m.standardization } : {}), ...(m.metrics ? { metrics: m.metrics } : {}), training,
  });
}

/** The download's file name: the data, the loss and the backend ("downhill-blobs-softmax-webgpu.json"). */
export function modelFileName(data: string, spec: TrainSpec, backend: BackendKind): string {
  const stem = data.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'data';
  return `downhill-${stem}-${spec.loss}-${backend}.json`;
}

/** Offers text as a file download. */
export function download(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
