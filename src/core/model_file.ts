// The model file format (JSON) that the CLI saves, the web page exports and `predict` will read.
import type { Metrics } from './metrics';
import type { LossKind, ModelParams } from './model';

/** A saved linear model. */
export interface ModelFile {
  format: 'downhill.linear';
  version: 1;
  features: string[];
  target: string;
  weights: number[];
  bias: number;
  fitBias: boolean;
  loss: LossKind;
  metrics?: Metrics;
  training?: Record<string, unknown>;
}

/** Builds the file object for trained parameters. */
export function toModelFile(
  p: ModelParams, features: string[], target: string, fitBias: boolean, extra: Pick<ModelFile, 'metrics' | 'training'> = {},
): ModelFile {
  return { format: 'downhill.linear', version: 1, features, target, weights: [...p.weights], bias: p.bias, fitBias, loss: 'mse', ...extra };
}

/** Parses and validates a model file's text; errors name the file and the field. */
export function parseModelFile(text: string, file: string): ModelFile {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const fail = (field: string, want: string): never => {
    throw new Error(`${file}: field "${field}" ${want}`);
  };
  if (o.format !== 'downhill.linear') fail('format', 'must be "downhill.linear"');
  if (o.version !== 1) fail('version', 'must be 1');
  const features = o.features;
  if (!Array.isArray(features) || !features.every((f) => typeof f === 'string')) fail('features', 'must be a list of names');
  const weights = o.weights;
  if (!Array.isArray(weights) || !weights.every((w) => typeof w === 'number' && Number.isFinite(w))) fail('weights', 'must be a list of finite numbers');
  if ((weights as number[]).length !== (features as string[]).length) fail('weights', `must have one entry per feature (${(features as string[]).length})`);
  if (typeof o.bias !== 'number' || !Number.isFinite(o.bias)) fail('bias', 'must be a finite number');
  return o as unknown as ModelFile;
}
