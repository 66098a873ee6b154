// Applying a saved model to rows: the outputs z = x·W + b, then the loss's link — a value in the target's units
// (regression), or a class with its probabilities where the loss gives them. A prediction float32 cannot hold is
// an error naming its row, never an Infinity in the output. Features are matched by name (data/columns.ts). A model
// trained with an offset adds each row's offset to its outputs (z = x·W + b + o): the data must have that column.
import type { HostChunk } from '../core/dataset';
import { LOSSES, type MultiLoss, type ScalarLoss } from '../core/losses';
import type { LoadedModel } from '../core/model_file';
import { outputsRow } from '../core/model';
import type { Csr } from '../core/csr';
import { sparseOutputsRow } from '../core/sparse_model';
import { alignColumns } from '../data/columns';
import { DataError, quoteValue } from '../data/csv';
import { withRowColumns } from '../data/row_columns';
import type { DataSource } from '../data/source';
import { isF32 } from '../data/values';
import { InputError } from './inputs';

/** The predictions of a block of rows. */
export interface Predictions {
  rows: number;
  /** Index of the first row in the source. */
  firstRow: number;
  /** The model's outputs z, rows × K. */
  z: Float64Array;
  /** Regression: the prediction per row in the target's units; null for classification. */
  values: Float64Array | null;
  /** Classification: the predicted class index per row; null for regression. */
  classes: Int32Array | null;
  /** Class probabilities, rows × classes, where the loss gives them; else null. */
  probabilities: Float64Array | null;
}

/** Predictions for one chunk of rows whose features are in the model's order. */
export function predictChunk(model: LoadedModel, c: HostChunk, where = 'data'): Predictions {
  const unit = LOSSES[model.loss];
  const k = model.params.bias.length;
  const d = model.features.length;
  const first = c.firstRow ?? 0;
  if (c.x.length !== c.rows * d) throw new InputError(`${where}: ${c.x.length} values for ${c.rows} rows of the model's ${d} features`);
  const z = new Float64Array(c.rows * k);
  const zr = new Float64Array(k);
  const nClasses = model.classes?.length ?? 0;
  const values = unit.task === 'regression' ? new Float64Array(c.rows) : null;
  const classes = unit.task === 'regression' ? null : new Int32Array(c.rows);
  const probabilities = unit.task !== 'regression' && unit.probabilistic ? new Float64Array(c.rows * nClasses) : null;
  const pr = new Float64Array(Math.max(2, k));
  const sparse = model.encoding ? checkedSparse(model, c, where) : null;
  for (let r = 0; r < c.rows; r++) {
    if (sparse) sparseOutputsRow(c.x, r, d, sparse, model.params, zr);
    else outputsRow(c.x, r * d, model.params, zr);
    if (c.o) for (let j = 0; j < k; j++) zr[j] += c.o[r];
    z.set(zr, r * k);
    if (values) {
      const v = (unit as ScalarLoss).link(zr[0], model.lossHp);
      if (!isF32(v)) throw new DataError(where, first + r + 1, null, `the prediction ${v} is outside the float32 range (the model's output there is ${zr[0]})`, 'row');
      values[r] = v;
      continue;
    }
    let cls = 0;
    if (unit.task === 'multiclass') {
      (unit as MultiLoss).probabilities(zr, pr);
      for (let j = 1; j < k; j++) if (zr[j] > zr[cls]) cls = j;
    } else {
      cls = zr[0] > 0 ? 1 : 0;
      pr[1] = (unit as ScalarLoss).link(zr[0], model.lossHp);
      pr[0] = (unit as ScalarLoss).link(-zr[0], model.lossHp);
    }
    classes![r] = cls;
    if (probabilities) probabilities.set(pr.subarray(0, nClasses), r * nClasses);
  }
  return { rows: c.rows, firstRow: first, z, values, classes, probabilities };
}

/** The offset column a prediction reads: `given` (--offset) or the model's own; an error where the two disagree with the model. */
export function offsetColumn(model: LoadedModel, given?: string): string | undefined {
  if (given !== undefined && model.offset === null) throw new InputError(`--offset ${given}: the model was trained without an offset, so its predictions take none`);
  return given ?? model.offset ?? undefined;
}

/** A chunk's sparse block, which a model with one needs. */
function checkedSparse(model: LoadedModel, c: HostChunk, where: string): Csr {
  if (!c.sparse) throw new InputError(`${where}: the model has a sparse block (${model.encoding!.format === 'svmlight' ? 'svmlight features' : 'categorical columns'}); the rows have none`);
  return c.sparse;
}

/**
 * Predictions for every row of a source, chunk by chunk; its features are matched to the model's by name. A model with
 * an offset reads it from the column `offset` names (default: the model's own offset column).
 */
export async function* predict(model: LoadedModel, source: DataSource, offset?: string): AsyncGenerator<Predictions & { chunk: HostChunk }> {
  if (model.encoding && source.sparse?.width !== model.encoding.width) {
    throw new InputError(`${source.description}: the model's sparse block has ${model.encoding.width} columns; ` +
      (source.sparse ? `the rows have ${source.sparse.width} (encode them with the model's encoding)` : 'the rows have none'));
  }
  const column = offsetColumn(model, offset);
  if (column !== undefined && !source.features.includes(column)) {
    throw new DataError(source.description, null, null, `the model was trained with the offset column ${quoteValue(model.offset!)} (z = x·w + b + o): ` +
      `the data has no column ${quoteValue(column)}; give --offset <column> to name the one that holds the offset`);
  }
  const aligned = alignColumns(column === undefined ? source : withRowColumns(source, { offset: column }), model.features, 'the model');
  for await (const c of aligned.read()) yield { ...predictChunk(model, c, source.description), chunk: c };
}
