// `downhill predict model.json data.csv|npy|parquet|dh [-o predictions.csv]`: applies a saved model (weights in
// original units, so a standardized model needs no separate scaling) to every row, streaming, and writes the
// prediction in the target's units: a value (regression), or a class label with the class probabilities where the
// loss gives them. The target column is not needed; when the data has it, the task's metrics are reported too (rows
// whose class the model never saw are predicted, and counted apart from the metrics). A model's `fill` (blank cells
// read as its columns' means in training) is applied to a CSV's blank cells.
import { numberLabel } from '../../core/labels';
import { LOSSES, type MultiLoss, type ScalarLoss } from '../../core/losses';
import { addRowMetrics, addSums, confusionClasses, emptySums, metricsFromSums, type EvalSums } from '../../core/metrics';
import { parseModelFile, type LoadedModel } from '../../core/model_file';
import { AtomicFile } from '../../data/atomic';
import { quoteValue } from '../../data/csv';
import type { SkippedRow } from '../../data/csv_plan';
import { f32ToString } from '../../data/csv_write';
import type { DataSource } from '../../data/source';
import { offsetColumn, predict, type Predictions } from '../../train/predict';
import { parse, UsageError } from '../args';
import { checkOutputs, readText } from '../io';
import { SkipLog } from '../skips';
import { metricsJson, metricsText } from '../report';
import { openInput } from '../sources';
import { note } from '../notes';

export const PREDICT_USAGE = `downhill predict <model.json> <data.csv|data.npy|data.parquet|data.dh> [options]
  -o, --output FILE      write the predictions as CSV (atomically; default: stdout): the value, or the class
                         label and one probability column per class where the loss gives probabilities
  --json                 print one JSON object: rows and, when the data has the target, the metrics
  --skip-bad-rows        CSV: skip rows with bad cells instead of stopping (each gets an empty line in the
                         output, so output row i is input row i; the lines are listed on stderr)
  --offset <column>      the column of each row's offset, for a model trained with --offset (default: the column
                         it was trained with, recorded in the model file); an NPY file has it after the features
  --format F             read the data as csv, npy, parquet, svmlight or dh whatever its name says
  features are matched by name (an NPY file's columns, which have none, are taken in the model's order); a model
  with categorical columns encodes them as it was trained (unseen levels go to "other" or their hash bucket; a
  missing categorical column is an error), an svmlight model reads indices as it was trained (1- or 0-based); a model
  trained with blank cells filled (the page's column means, its "fill") fills a CSV's blank cells alike (a blank
  target, or a blank in a column without a fill value, skips its row: an empty line)`;

/** The CSV header of the predictions. */
function header(m: LoadedModel): string {
  const probs = m.task !== 'regression' && LOSSES[m.loss].probabilistic ? m.classes!.map((c) => `p_${c}`) : [];
  return [`${m.target}_predicted`, ...probs].map((h) => (/[",\n]/.test(h) ? `"${h.replace(/"/g, '""')}"` : h)).join(',');
}

/** Maps a row's target to the model's class index (−1 when it is not one of the model's classes). */
function classIndexer(m: LoadedModel, source: DataSource): (y: number) => number {
  const index = new Map(m.classes!.map((c, i) => [c, i]));
  return (y) => index.get(source.targetLabels ? source.targetLabels[y] : numberLabel(y)) ?? -1;
}

/** Writes text to stdout, waiting while its buffer is full (so predictions of a large file do not pile up in memory). */
async function toStdout(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}

/** Adds one row's loss and task sums to `sums` (t: the class index or the target value). */
function addRow(model: LoadedModel, z: Float64Array, at: number, t: number, cls: number, sums: EvalSums): void {
  const unit = LOSSES[model.loss];
  const k = model.params.bias.length;
  if (unit.task === 'multiclass') {
    const loss = (unit as MultiLoss).valueDz(z.subarray(at * k, (at + 1) * k), t, null);
    addSums(sums, { rows: 1, loss, m: Float64Array.of(cls === t ? 1 : 0, loss, 0, 0), confusion: null });
    sums.confusion![t * k + cls] += 1;
    return;
  }
  sums.rows += 1;
  sums.loss += (unit as ScalarLoss).value(z[at], t, model.lossHp);
  addRowMetrics(unit as ScalarLoss, z[at], t, 0, model.lossHp, sums.m, sums.confusion);
}

/** One CSV line per row of predictions: the value, or the class label and its probabilities. */
function lines(model: LoadedModel, p: Predictions, from: number, to: number): string {
  let text = '';
  const n = model.classes?.length ?? 0;
  for (let r = from; r < to; r++) {
    if (p.values) {
      text += f32ToString(Math.fround(p.values[r])) + '\n';
      continue;
    }
    const label = model.classes![p.classes![r]];
    const probs = p.probabilities ? Array.from(p.probabilities.subarray(r * n, (r + 1) * n), (q) => f32ToString(Math.fround(q))) : [];
    text += [/[",\n]/.test(label) ? `"${label.replace(/"/g, '""')}"` : label, ...probs].join(',') + '\n';
  }
  return text;
}

/** What one predict run accumulates: rows, metric sums, the skipped rows and how many have their empty line yet. */
interface PredictState {
  rows: number;
  sums: EvalSums;
  skipped: SkippedRow[];
  blanks: number;
  /** Rows whose target is a class the model does not know (left out of the metrics), by label. */
  unseen: Map<string, number>;
}

/**
 * Predicts every row of the source, writing one line per input row (an empty one where a row was skipped) through
 * `write` (null: nothing written) and, when the data is labeled, adding each row to the metric sums.
 */
async function predictAll(
  model: LoadedModel, source: DataSource, dataPath: string, labeled: boolean, s: PredictState, write: ((text: string) => Promise<void>) | null,
  offset?: string,
): Promise<void> {
  const classOf = model.task !== 'regression' ? classIndexer(model, source) : null;
  if (write) await write(`${header(model)}\n`);
  for await (const p of predict(model, source, offset)) {
    let text = '';
    let from = 0;
    for (let r = 0; r < p.rows; r++) {
      while (s.blanks < s.skipped.length && s.skipped[s.blanks].before <= p.firstRow + r) {
        text += lines(model, p, from, r) + '\n';
        from = r;
        s.blanks++;
      }
      if (!labeled) continue;
      const y = p.chunk.y[r];
      const t = classOf ? classOf(y) : y;
      if (classOf && t < 0) {
        const label = source.targetLabels?.[y] ?? numberLabel(y);
        s.unseen.set(label, (s.unseen.get(label) ?? 0) + 1);
        continue;
      }
      addRow(model, p.z, r, t, p.classes ? p.classes[r] : 0, s.sums);
    }
    if (write) await write(text + lines(model, p, from, p.rows));
    s.rows += p.rows;
  }
  if (write) await write('\n'.repeat(s.skipped.length - s.blanks));
}

/** Runs the predict command; returns the exit code. */
export async function predictCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, {
    output: { type: 'string', short: 'o' }, json: { type: 'boolean' }, 'skip-bad-rows': { type: 'boolean' }, offset: { type: 'string' }, format: { type: 'string' },
  }, 2);
  const [modelPath, dataPath] = positionals;
  if (!modelPath || !dataPath) throw new UsageError('predict needs a model file and a data file');
  checkOutputs([v.output], [modelPath, dataPath]);
  const model = parseModelFile(readText(modelPath), modelPath);
  const offset = offsetColumn(model, v.offset);
  const classify = model.task !== 'regression';
  const skips = new SkipLog();
  const state: PredictState = { rows: 0, sums: emptySums(confusionClasses(model.loss, model.classes?.length ?? 1)), skipped: [], blanks: 0, unseen: new Map() };
  const onSkip = (row: SkippedRow) => {
    skips.onSkip(row);
    state.skipped.push(row);
  };
  // CSV and Parquet columns are picked by the model's feature names; an NPY file's columns, which have no names,
  // are taken in the model's order; a .dh cache's are matched by name (alignColumns in predict()).
  const features = offset === undefined || model.features.includes(offset) ? model.features : [...model.features, offset];
  const fixed = model.encoding && { features, encoding: model.encoding };
  const source = await openInput(dataPath, /\.dh$/i.test(dataPath) && !v.format ? {} : {
    target: model.target, features, skipBadRows: v['skip-bad-rows'], targetOptional: true, labels: classify, onSkip,
    format: v.format, ...(fixed ? { fixed, zeroBased: model.encoding!.base === 0 } : {}), ...(model.fill ? { fill: model.fill } : {}), onNote: note,
  }).catch((e: unknown) => {
    if (offset === undefined || !(e instanceof Error) || !e.message.includes(`"${offset}"`)) throw e;
    throw new UsageError(`the model was trained with the offset column "${model.offset}" (z = x·w + b + o), so predict needs each row's offset: ` +
      `${e.message}${v.offset === undefined ? '; give --offset <column> to name the column that holds it' : ''}`);
  });
  checkOutputs([v.output], [modelPath, ...(source.files ?? [dataPath])]);
  const labeled = source.hasTarget !== false && source.target === model.target;
  const out = v.output ? await AtomicFile.create(v.output) : null;
  const enc = new TextEncoder();
  const write = out ? (text: string) => out.write(enc.encode(text)) : v.json ? null : toStdout;
  try {
    await predictAll(model, source, dataPath, labeled, state, write, offset);
    await out?.commit();
  } catch (e) {
    await out?.abort();
    throw e;
  } finally {
    await source.close?.();
  }
  const { rows, skipped } = state;
  const m = labeled && state.sums.rows > 0 ? metricsFromSums(state.sums, LOSSES[model.loss]) : null;
  const skipText = skips.summary(skipped.length);
  if (skipText) process.stderr.write(`${skipText}\n  (their predictions are empty lines, so output row i is input row i)\n`);
  const unseenRows = [...state.unseen.values()].reduce((a, b) => a + b, 0);
  const unseenText = unseenRows ? `${unseenRows} row(s) have a class the model was not trained on (${[...state.unseen.keys()].slice(0, 10).map((l) => quoteValue(l)).join(', ')}` +
    `${state.unseen.size > 10 ? ', …' : ''}): predicted, and left out of the metrics` : '';
  if (unseenText && !v.json) process.stderr.write(`${unseenText}\n`);
  if (v.json) {
    process.stdout.write(JSON.stringify({
      rows, target: model.target, task: model.task, metrics: m && metricsJson(m),
      ...(m?.task === 'regression' || !m && !classify ? { mse: m?.mse ?? null, mae: m?.mae ?? null, r2: m?.r2 ?? null } : {}),
      output: v.output ?? null, skippedRows: skipped.length, skippedLines: skipped.slice(0, 1000).map((r) => r.line),
      unseenClasses: unseenRows ? { rows: unseenRows, classes: Object.fromEntries([...state.unseen].slice(0, 1000)) } : null,
    }) + '\n');
  } else if (m) process.stderr.write(`${state.sums.rows} rows: ${metricsText(m, model.classes)}\n`);
  return 0;
}
