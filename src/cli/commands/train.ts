// `downhill train <file.csv> --target <column> …`: trains on a CSV and prints the result (or one JSON object).
import { toModelFile } from '../../core/model_file';
import { parseCsv } from '../../data/csv';
import { createBackend, parseBackend } from '../../train/backends';
import { train, type TrainResult } from '../../train/train';
import { num, parse, UsageError } from '../args';
import { readText, writeAtomic } from '../io';
import { fmt, table } from '../output';
import { duration, ProgressBar } from '../progress';

export const TRAIN_USAGE = `downhill train <file.csv> --target <column> [options]
  --target <name|index>  column to predict (required)
  --features a,b,c       feature columns (default: all but the target)
  --epochs N             passes over the data (default 10)
  --batch B|full         rows per step (default 256; full = full-batch gradient descent)
  --lr α                 learning rate (default 0.01)
  --seed S               seed for the per-epoch shuffle (default 0)
  --no-shuffle           visit rows in file order
  --backend webgpu|cpu   where the math runs (default webgpu)
  --no-bias              fit no intercept
  --host-update          read the gradient back each step and update in TypeScript
  --json                 print exactly one JSON object on stdout
  --save model.json      write the trained model (atomically)`;

/** Runs the train command; returns the exit code. */
export async function trainCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, {
    target: { type: 'string' }, features: { type: 'string' }, epochs: { type: 'string' }, batch: { type: 'string' },
    lr: { type: 'string' }, seed: { type: 'string' }, backend: { type: 'string' }, bias: { type: 'boolean' },
    shuffle: { type: 'boolean' }, 'host-update': { type: 'boolean' }, json: { type: 'boolean' }, save: { type: 'string' },
    'chunk-rows': { type: 'string' },
  }, 1);
  const file = positionals[0];
  if (!file) throw new UsageError('train needs a CSV file');
  if (!v.target) throw new UsageError('train needs --target <column>');
  const opts = {
    epochs: num('epochs', v.epochs, 10, { integer: true, min: 0 }),
    batch: num('batch', v.batch, 256, { integer: true, min: 1, allowFull: true }),
    lr: num('lr', v.lr, 0.01, { positive: true }),
    seed: num('seed', v.seed, 0, { integer: true, min: 0 }),
    chunkRows: v['chunk-rows'] === undefined ? undefined : num('chunk-rows', v['chunk-rows'], 0, { integer: true, min: 1 }),
    fitBias: v.bias !== false,
    shuffle: v.shuffle !== false,
    hostUpdate: v['host-update'] === true,
  };
  const backendKind = parseBackend(v.backend ?? 'webgpu');
  const features = v.features?.split(',').map((s) => s.trim()).filter(Boolean);
  const ds = parseCsv(readText(file), { file, target: v.target, features });
  const tty = !v.json && process.stderr.isTTY === true;
  const backend = await createBackend(backendKind);
  let result: TrainResult;
  try {
    const bar = tty ? new ProgressBar(opts.epochs) : null;
    const perEpoch = Math.ceil(ds.rows / Math.min(opts.batch, ds.rows));
    result = await train(backend, ds, {
      ...opts,
      lossEvery: bar ? Math.max(1, Math.ceil(perEpoch / 20)) : undefined,
      onProgress: bar ? (p) => bar.update(p) : undefined,
      onEpoch: bar ? (e) => bar.epochDone(e.epoch, e.loss, e.seconds) : undefined,
    });
    bar?.done();
  } finally {
    backend.dispose();
  }
  const training = { epochs: opts.epochs, batch: Number.isFinite(opts.batch) ? opts.batch : 'full', lr: opts.lr, seed: opts.seed, shuffle: opts.shuffle, backend: backendKind };
  if (v.save) {
    writeAtomic(v.save, JSON.stringify(toModelFile(result.params, ds.features, ds.target, opts.fitBias, { metrics: result.final, training }), null, 2) + '\n');
  }
  if (v.json) {
    process.stdout.write(JSON.stringify({
      backend: result.backend, adapter: result.device, rows: result.rows, features: ds.features, target: ds.target,
      weights: [...result.params.weights], bias: result.params.bias, loss: result.final.mse, mae: result.final.mae, r2: result.final.r2,
      epochs: opts.epochs, secondsPerEpoch: result.secondsPerEpoch, uploadSeconds: result.uploadSeconds,
      lossHistory: result.epochs.map((e) => e.loss), training, saved: v.save ?? null,
    }) + '\n');
    return 0;
  }
  const rows: (string | number)[][] = [['coefficient', 'value']];
  ds.features.forEach((f, j) => rows.push([f, fmt(result.params.weights[j])]));
  if (opts.fitBias) rows.push(['(bias)', fmt(result.params.bias)]);
  console.log(table(rows));
  console.log(`\n${result.rows} rows × ${ds.features.length} features, ${opts.epochs} epochs on ${result.backend} (${result.device})`);
  console.log(`final MSE ${fmt(result.final.mse)}  MAE ${fmt(result.final.mae)}  R² ${fmt(result.final.r2)}`);
  console.log(`${duration(result.secondsPerEpoch)} per epoch (upload ${duration(result.uploadSeconds)})${v.save ? `; saved ${v.save}` : ''}`);
  return 0;
}
