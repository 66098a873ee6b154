// The model file format (JSON) that the CLI saves, the web page exports and `predict` reads. Version 2 records the
// loss, the penalty, the classes and K × D weights, sealed by a checksum (a changed value is refused; a file without
// one — hand-written, or older — is read with every field checked); version-1 files (squared loss, one output) still load.
// Version 3 adds a sparse block (categorical or svmlight features): its `encoding` (core/encoding.ts) and the block's
// non-zero weights; `features` and `weights` stay the dense columns (sparse_model.ts). Any version may carry `fill`,
// the value training read a blank cell of a feature column as (its mean): `predict` fills the same cells.
import { checkSeal, sealed } from './checksum';
import { lossHp, lossKind, lossUnit, type LossHp, type LossKind, type LossParams, type Task } from './losses';
import type { Metrics } from './metrics';
import type { ModelParams, Standardization } from './model';
import { PENALTIES, type PenaltyKind } from './penalties';
import { specRecord, type TrainSpec } from './spec';
import type { Encoding } from './encoding';
import { parseSparseWeights, sparseFields, type SparseWeights } from './sparse_model';

/** A saved linear model (version 2). */
export interface ModelFile {
  format: 'downhill.linear';
  version: 2 | 3;
  task: Task;
  loss: LossKind;
  /** The loss's hyperparameters by spec key (e.g. huberDelta). */
  lossParams: Record<string, number>;
  penalty: PenaltyKind;
  /** The penalty's settings (alpha, l1Ratio) where it has any. */
  penaltyParams: Record<string, number>;
  features: string[];
  target: string;
  /** Class labels in index order (classification), or null. */
  classes: string[] | null;
  /** K rows of D weights in original units (K = 1 but for multiclass). */
  weights: number[][];
  /** K biases. */
  bias: number[];
  fitBias: boolean;
  /** The scaling applied while training, in original units (weights above already undo it). */
  standardization?: { mean: number[]; std: number[] };
  /** The column whose value was added to every output in training (z = x·w + b + o): predictions need it too. */
  offset?: string;
  /** The value a blank cell of a feature column was read as in training (the page's "fill with the column's mean"). */
  fill?: Record<string, number>;
  metrics?: Metrics;
  training?: Record<string, unknown>;
  /** Version 3: how rows become the sparse block (vocabularies or hash spec, crosses). */
  encoding?: Encoding;
  /** Version 3: the sparse block's non-zero weights: its column indices and, per output, their values. */
  sparseWeights?: SparseWeights;
  /** CRC-32 of the rest (core/checksum.ts sealed). */
  checksum?: string;
}

/** A model file as loaded: either version, in the shape `predict` uses. */
export interface LoadedModel {
  version: 1 | 2 | 3;
  task: Task;
  loss: LossKind;
  /** The loss's hyperparameter slots (its value needs them; predictions do not). */
  lossHp: LossHp;
  features: string[];
  target: string;
  classes: string[] | null;
  /** K × (D + width) weights: the dense columns, then the sparse block (version 3). */
  params: ModelParams;
  fitBias: boolean;
  /** The offset column the model was trained with (every prediction adds its value), or null. */
  offset: string | null;
  /** The value of a blank cell by feature column, where training filled blanks (predictions fill them alike). */
  fill?: Record<string, number>;
  /** Version 3: the sparse block's encoding. */
  encoding?: Encoding;
}

/** What a trained model carries besides its parameters. */
export interface ModelInfo {
  spec: TrainSpec;
  features: string[];
  target: string;
  classes: string[] | null;
  standardization?: Standardization;
  metrics?: Metrics;
  training?: Record<string, unknown>;
  /** The offset column it was trained with. */
  offset?: string;
  /** Blank cells' values by feature column, where training filled them. */
  fill?: Record<string, number>;
  /** The sparse block's encoding (the parameters then hold K × (features + width) weights). */
  encoding?: Encoding;
}

/** Builds the file object (version 2, or 3 with a sparse block) for trained parameters in original units. */
export function toModelFile(p: ModelParams, info: ModelInfo): ModelFile {
  const { spec } = info;
  const unit = lossUnit(spec.loss);
  const d = info.features.length;
  const k = p.bias.length;
  const D = d + (info.encoding?.width ?? 0);
  const rec = specRecord(spec);
  const pick = (keys: readonly string[]) => Object.fromEntries(keys.filter((key) => key in rec).map((key) => [key, rec[key] as number]));
  return sealed({
    format: 'downhill.linear' as const, version: info.encoding ? 3 as const : 2 as const, task: unit.task, loss: spec.loss,
    lossParams: pick(unit.options.map((o) => o.key)),
    penalty: spec.penalty,
    penaltyParams: spec.penalty === 'none' ? {} : pick(['alpha', ...PENALTIES[spec.penalty].options.map((o) => o.key)]),
    features: info.features, target: info.target, classes: info.classes,
    weights: Array.from({ length: k }, (_, c) => [...p.weights.subarray(c * D, c * D + d)]),
    bias: [...p.bias], fitBias: spec.fitBias,
    ...(info.standardization ? {
      standardization: { mean: [...info.standardization.mean.subarray(0, d)], std: [...info.standardization.invStd.subarray(0, d)].map((s) => 1 / s) },
    } : {}),
    ...(info.offset !== undefined ? { offset: info.offset } : {}),
    ...(info.fill ? { fill: { ...info.fill } } : {}),
    ...(info.encoding ? sparseFields(p, d, info.encoding) : {}),
    ...(info.metrics ? { metrics: info.metrics } : {}),
    training: { ...rec, ...(info.training ?? {}) },
  });
}

const finiteList = (v: unknown, n?: number): v is number[] =>
  Array.isArray(v) && v.every((w) => typeof w === 'number' && Number.isFinite(w)) && (n === undefined || v.length === n);

/** Parses and validates a model file's text (version 1 or 2); errors name the file and the field. */
export function parseModelFile(text: string, file: string): LoadedModel {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const fail = (field: string, want: string): never => {
    throw new Error(`${file}: field "${field}" ${want}`);
  };
  if (typeof o !== 'object' || o === null || o.format !== 'downhill.linear') fail('format', 'must be "downhill.linear"');
  if (o.version !== 1 && o.version !== 2 && o.version !== 3) fail('version', 'must be 1, 2 or 3');
  const features = o.features;
  if (!Array.isArray(features) || !features.every((f) => typeof f === 'string')) fail('features', 'must be a list of names');
  const d = (features as string[]).length;
  if (typeof o.target !== 'string') fail('target', 'must be a column name');
  let loss: LossKind = 'squared';
  try {
    loss = lossKind(String(o.loss ?? 'squared'));
  } catch (e) {
    fail('loss', `names ${(e as Error).message}`);
  }
  const task = lossUnit(loss).task;
  let params: ModelParams;
  if (o.version === 1) {
    if (!finiteList(o.weights, d)) fail('weights', `must be ${d} finite numbers (one per feature)`);
    if (typeof o.bias !== 'number' || !Number.isFinite(o.bias)) fail('bias', 'must be a finite number');
    params = { weights: Float64Array.from(o.weights as number[]), bias: Float64Array.of(o.bias as number) };
  } else {
    const rows = o.weights;
    if (!Array.isArray(rows) || rows.length < 1 || !rows.every((r) => finiteList(r, d))) fail('weights', `must be a list of rows of ${d} finite numbers`);
    const k = (rows as number[][]).length;
    if (!finiteList(o.bias, k)) fail('bias', `must be ${k} finite numbers (one per row of weights)`);
    params = { weights: Float64Array.from((rows as number[][]).flat()), bias: Float64Array.from(o.bias as number[]) };
  }
  const k = params.bias.length;
  const classes = o.classes ?? null;
  if (task === 'regression') {
    if (k !== 1) fail('weights', `must have one row for the ${loss} loss`);
  } else {
    if (!Array.isArray(classes) || !classes.every((c) => typeof c === 'string') || new Set(classes).size !== classes.length) {
      fail('classes', 'must list distinct class labels');
    }
    const want = task === 'binary' ? 1 : (classes as string[]).length;
    if (task === 'binary' && (classes as string[]).length !== 2) fail('classes', `must hold two labels for the ${loss} loss`);
    if (k !== want) fail('weights', `must have ${want} row(s) for ${(classes as string[]).length} classes and the ${loss} loss`);
  }
  const lp = o.lossParams;
  if (lp !== undefined && (typeof lp !== 'object' || lp === null || !Object.values(lp).every((x) => typeof x === 'number' && Number.isFinite(x)))) {
    fail('lossParams', 'must map hyperparameter names to finite numbers');
  }
  if (o.offset !== undefined && (typeof o.offset !== 'string' || o.offset === '')) fail('offset', 'must name a column');
  const fill = o.fill;
  if (fill !== undefined && (typeof fill !== 'object' || fill === null || Array.isArray(fill) ||
    !Object.entries(fill).every(([c, v]) => (features as string[]).includes(c) && typeof v === 'number' && Number.isFinite(v)))) {
    fail('fill', 'must map feature columns to finite numbers (the value of a blank cell)');
  }
  let encoding: Encoding | undefined;
  if (o.version === 3) {
    try {
      ({ params, encoding } = parseSparseWeights(o, params, features as string[]));
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
  }
  // Last, so that a named field's problem is reported as such; a file whose fields all look right may still have changed.
  if (checkSeal(o) === 'mismatch') {
    fail('checksum', 'does not match the content: the file changed after it was written (corrupt, or edited by hand: delete its "checksum" field to load an edited model)');
  }
  return {
    version: o.version as 1 | 2, task, loss, lossHp: lossHp(loss, (lp ?? {}) as Partial<LossParams>), features: features as string[], target: o.target as string,
    classes: task === 'regression' ? null : (classes as string[]), params, fitBias: o.fitBias !== false, offset: (o.offset as string | undefined) ?? null,
    ...(fill ? { fill: { ...(fill as Record<string, number>) } } : {}), ...(encoding ? { encoding } : {}),
  };
}
