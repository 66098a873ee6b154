// `downhill predict model.json data.csv|npy|parquet|dh [-o predictions.csv]`: applies a saved model (weights in
// original units, so a standardized model needs no separate scaling) to every row, streaming, and writes the
// prediction in the target's units: a value (regression), or a class label with the class probabilities where the
// loss gives them. When the data has the target column it also reports the task's metrics.
import { numberLabel } from '../../core/labels';
import { LOSSES, type MultiLoss, type ScalarLoss } from '../../core/losses';
import { addRowMetrics, addSums, emptySums, metricsFromSums, confusionClasses } from '../../core/metrics';
import { parseModelFile, type LoadedModel } from '../../core/model_file';
import { outputsRow } from '../../core/model';
import { f32ToString } from '../../data/csv_write';
import { AtomicFile } from '../../data/atomic';
import type { DataSource } from '../../data/source';
import { parse, UsageError } from '../args';
import { readText } from '../io';
import { metricsJson, metricsText } from '../report';
import { openInput } from '../sources';

export const PREDICT_USAGE = `downhill predict <model.json> <data.csv|data.npy|data.parquet|data.dh> [options]
  -o, --output FILE      write the predictions as CSV (atomically; default: stdout): the value, or the class
                         label and one probability column per class where the loss gives probabilities
  --json                 print one JSON object: rows and, when the data has the target, the metrics
  --skip-bad-rows        CSV: skip rows with bad cells instead of stopping`;

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

/** Runs the predict command; returns the exit code. */
export async function predictCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, {
    output: { type: 'string', short: 'o' }, json: { type: 'boolean' }, 'skip-bad-rows': { type: 'boolean' },
  }, 2);
  const [modelPath, dataPath] = positionals;
  if (!modelPath || !dataPath) throw new UsageError('predict needs a model file and a data file');
  const model = parseModelFile(readText(modelPath), modelPath);
  const csv = /\.(csv|tsv|txt)$/i.test(dataPath);
  const named = csv || /\.parquet$/i.test(dataPath); // formats whose columns have names
  const classify = model.task !== 'regression';
  const source = await openInput(dataPath, named
    ? { target: model.target, features: model.features, skipBadRows: v['skip-bad-rows'], targetOptional: csv, labels: classify && named } : {});
  if (source.features.length !== model.features.length) {
    throw new UsageError(`${dataPath} has ${source.features.length} features; ${modelPath} expects ${model.features.length} (${model.features.join(', ')})`);
  }
  const labeled = !csv || source.target === model.target && !('plan' in source && (source as { plan: { targetCol: number } }).plan.targetCol < 0);
  const unit = LOSSES[model.loss];
  const hp = model.lossHp;
  const k = model.params.bias.length;
  const d = model.features.length;
  const out = v.output ? await AtomicFile.create(v.output) : null;
  const enc = new TextEncoder();
  const sums = emptySums(confusionClasses(model.loss, model.classes?.length ?? 1));
  const z = new Float64Array(k);
  const probs = new Float64Array(Math.max(2, k));
  const classOf = classify ? classIndexer(model, source) : null;
  let rows = 0;
  try {
    const write = async (text: string) => (out ? out.write(enc.encode(text)) : void process.stdout.write(text));
    const writing = !v.json || out !== null;
    if (writing) await write(`${header(model)}\n`);
    for await (const c of source.read()) {
      let text = '';
      for (let r = 0; r < c.rows; r++) {
        outputsRow(c.x, r * d, model.params, z);
        let cls = 0;
        if (unit.task === 'multiclass') {
          (unit as MultiLoss).probabilities(z, probs);
          for (let j = 1; j < k; j++) if (z[j] > z[cls]) cls = j;
        } else if (unit.task === 'binary') {
          cls = z[0] > 0 ? 1 : 0;
          probs[1] = (unit as ScalarLoss).link(z[0], hp);
          probs[0] = 1 - probs[1];
        }
        if (labeled) {
          const row = (c.firstRow ?? rows) + r + 1;
          const t = classOf ? classOf(c.y[r]) : c.y[r];
          if (classOf && t < 0) throw new Error(`${dataPath}: row ${row}: the target "${source.targetLabels?.[c.y[r]] ?? numberLabel(c.y[r])}" is not one of the model's classes (${model.classes!.join(', ')})`);
          if (unit.task === 'multiclass') {
            const loss = (unit as MultiLoss).valueDz(z, t, null);
            addSums(sums, { rows: 1, loss, m: Float64Array.of(cls === t ? 1 : 0, loss, 0, 0), confusion: null });
            sums.confusion![t * k + cls] += 1;
          } else {
            sums.rows += 1;
            sums.loss += (unit as ScalarLoss).value(z[0], t, hp);
            addRowMetrics(unit as ScalarLoss, z[0], t, 0, hp, sums.m, sums.confusion);
          }
        }
        if (writing) {
          if (!classify) text += f32ToString(Math.fround((unit as ScalarLoss).link(z[0], hp))) + '\n';
          else {
            const label = model.classes![cls];
            const p = unit.probabilistic ? Array.from(probs.subarray(0, model.classes!.length), (q) => f32ToString(Math.fround(q))) : [];
            text += [/[",\n]/.test(label) ? `"${label.replace(/"/g, '""')}"` : label, ...p].join(',') + '\n';
          }
        }
      }
      rows += c.rows;
      if (text) await write(text);
    }
    await out?.commit();
  } catch (e) {
    await out?.abort();
    throw e;
  } finally {
    await source.close?.();
  }
  const m = labeled && rows > 0 ? metricsFromSums(sums, unit) : null;
  if (v.json) process.stdout.write(JSON.stringify({ rows, target: model.target, task: model.task, metrics: m && metricsJson(m), ...(m?.task === 'regression' || !m && !classify ? { mse: m?.mse ?? null, mae: m?.mae ?? null, r2: m?.r2 ?? null } : {}), output: v.output ?? null }) + '\n');
  else if (m) process.stderr.write(`${rows} rows: ${metricsText(m, model.classes)}\n`);
  return 0;
}
