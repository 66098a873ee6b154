// `downhill predict model.json data.csv|npy|dh [-o predictions.csv]`: applies a saved model (weights in original
// units, so a standardized model needs no separate scaling) to every row, streaming, and writes ŷ per row;
// when the data has the target column it also reports MSE, MAE and R².
import { parseModelFile } from '../../core/model_file';
import { addSums, emptySums, metricsFromSums } from '../../core/metrics';
import { f32ToString } from '../../data/csv_write';
import { AtomicFile } from '../../data/node_files';
import { parse, UsageError } from '../args';
import { readText } from '../io';
import { fmt } from '../output';
import { openInput } from '../sources';

export const PREDICT_USAGE = `downhill predict <model.json> <data.csv|data.npy|data.dh> [options]
  -o, --output FILE      write the predictions as a one-column CSV (atomically; default: stdout)
  --json                 print one JSON object: rows and, when the data has the target, mse/mae/r2
  --skip-bad-rows        CSV: skip rows with bad cells instead of stopping`;

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
  const source = await openInput(dataPath, named
    ? { target: model.target, features: model.features, skipBadRows: v['skip-bad-rows'], targetOptional: csv } : {});
  if (source.features.length !== model.features.length) {
    throw new UsageError(`${dataPath} has ${source.features.length} features; ${modelPath} expects ${model.features.length} (${model.features.join(', ')})`);
  }
  const labeled = !csv || source.target === model.target && !('plan' in source && (source as { plan: { targetCol: number } }).plan.targetCol < 0);
  const out = v.output ? await AtomicFile.create(v.output) : null;
  const enc = new TextEncoder();
  const sums = emptySums();
  let rows = 0;
  const d = model.features.length;
  try {
    const write = async (text: string) => (out ? out.write(enc.encode(text)) : void process.stdout.write(text));
    if (!v.json || out) await write(`${model.target}_predicted\n`);
    for await (const c of source.read()) {
      let text = '';
      for (let r = 0; r < c.rows; r++) {
        let p = model.bias;
        for (let j = 0; j < d; j++) p += model.weights[j] * c.x[r * d + j];
        if (labeled) {
          const e = p - c.y[r];
          addSums(sums, { rows: 1, sse: e * e, sae: Math.abs(e), sy: c.y[r], syy: c.y[r] * c.y[r] });
        }
        if (!v.json || out) text += f32ToString(Math.fround(p)) + '\n';
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
  const m = labeled ? metricsFromSums(sums) : null;
  if (v.json) process.stdout.write(JSON.stringify({ rows, target: model.target, mse: m?.mse ?? null, mae: m?.mae ?? null, r2: m?.r2 ?? null, output: v.output ?? null }) + '\n');
  else if (m) process.stderr.write(`${rows} rows: MSE ${fmt(m.mse)}  MAE ${fmt(m.mae)}  R² ${fmt(m.r2)}\n`);
  return 0;
}
