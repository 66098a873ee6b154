// The trained model as the CLI saves it (core/model_file.ts), and the browser download of it.
import type { BackendKind } from '../backend';
import type { Metrics } from '../core/metrics';
import type { ModelParams } from '../core/model';
import { toModelFile, type ModelFile } from '../core/model_file';
import { parseTrainSpec } from '../core/spec';
import type { RunSettings } from './state';

/** What one backend's run produced. */
export interface TrainedModel {
  backend: BackendKind;
  device: string;
  params: ModelParams;
  metrics: Metrics | null;
  epochsDone: number;
  stopped: boolean;
  secondsPerEpoch: number;
}

/** What the model was trained on. */
export interface TrainedOn {
  features: readonly string[];
  target: string;
  rows: number | null;
  description: string;
}

/** The model file for a trained model, with the `training` fields of `downhill train --save` and a few more. */
export function modelFileFor(m: TrainedModel, on: TrainedOn, s: RunSettings): ModelFile {
  const training = {
    epochs: m.epochsDone, batch: Number.isFinite(s.batch) ? s.batch : 'full', lr: s.lr, seed: s.seed, shuffle: true,
    backend: m.backend, standardize: s.standardize, device: m.device, stopped: m.stopped,
    secondsPerEpoch: m.secondsPerEpoch, data: on.description, rows: on.rows,
  };
  const spec = parseTrainSpec({ lr: s.lr, batch: s.batch, epochs: m.epochsDone, seed: s.seed, fitBias: s.fitBias, standardize: s.standardize });
  return toModelFile(m.params, { spec, features: [...on.features], target: on.target, classes: null, ...(m.metrics ? { metrics: m.metrics } : {}), training });
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
