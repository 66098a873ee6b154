// `downhill train <file> --target <column> …`: trains on a CSV, NPY or .dh file (streamed when larger than
// the memory budget) and prints the result, or exactly one JSON object.
import { totalmem } from 'node:os';
import { toModelFile } from '../../core/model_file';
import { createBackend, parseBackend } from '../../train/backends';
import { train, type TrainResult } from '../../train/train';
import { bytes, num, parse, UsageError } from '../args';
import { writeAtomic } from '../io';
import { fmt, table } from '../output';
import { duration, ProgressBar } from '../progress';
import { openInput } from '../sources';

export const TRAIN_USAGE = `downhill train <data.csv|data.npy|data.parquet|data.dh> --target <column> [options]
  --target <name|index>  column to predict (required for CSV)
  --features a,b,c       feature columns (default: all but the target)
  --epochs N             passes over the data (default 10)
  --batch B|full         rows per step (default 256; full = full-batch gradient descent)
  --lr α                 learning rate (default 0.01)
  --seed S               seed for the shuffle and the holdout (default 0)
  --no-shuffle           visit rows in file order
  --standardize          train on standardized features; weights are reported in original units
  --validation F         hold out a fraction F of rows (seeded hash of the row index); report its loss
  --memory-budget SIZE   bytes of rows kept in memory, e.g. 512M, 4G (default: a quarter of RAM);
                         larger data is streamed from the file every epoch
  --skip-bad-rows        CSV: skip rows with bad or missing cells (counted) instead of stopping
  --y y.npy              NPY: the targets (default <stem>.y.npy)
  --backend B            webgpu, cpu-mt (every CPU core) or cpu (the f64 reference) (default webgpu)
  --no-bias              fit no intercept
  --host-update          read the gradient back each step and update in TypeScript
  --json                 print exactly one JSON object on stdout
  --save model.json      write the trained model (atomically)`;

const OPTIONS = {
  target: { type: 'string' }, features: { type: 'string' }, epochs: { type: 'string' }, batch: { type: 'string' },
  lr: { type: 'string' }, seed: { type: 'string' }, backend: { type: 'string' }, bias: { type: 'boolean' },
  shuffle: { type: 'boolean' }, 'host-update': { type: 'boolean' }, json: { type: 'boolean' }, save: { type: 'string' },
  'chunk-rows': { type: 'string' }, standardize: { type: 'boolean' }, validation: { type: 'string' },
  'memory-budget': { type: 'string' }, 'skip-bad-rows': { type: 'boolean' }, y: { type: 'string' }, delimiter: { type: 'string' },
} as const;

/** Runs the train command; returns the exit code. */
export async function trainCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, OPTIONS, 1);
  const file = positionals[0];
  if (!file) throw new UsageError('train needs a data file (.csv, .npy or .dh)');
  const opts = {
    epochs: num('epochs', v.epochs, 10, { integer: true, min: 0 }),
    batch: num('batch', v.batch, 256, { integer: true, min: 1, allowFull: true }),
    lr: num('lr', v.lr, 0.01, { positive: true }),
    seed: num('seed', v.seed, 0, { integer: true, min: 0 }),
    chunkRows: v['chunk-rows'] === undefined ? undefined : num('chunk-rows', v['chunk-rows'], 0, { integer: true, min: 1 }),
    validation: num('validation', v.validation, 0, { min: 0 }),
    memoryBudget: bytes('memory-budget', v['memory-budget'], Math.floor(totalmem() / 4)),
    fitBias: v.bias !== false,
    shuffle: v.shuffle !== false,
    standardize: v.standardize === true,
    hostUpdate: v['host-update'] === true,
  };
  if (opts.validation >= 1) throw new UsageError(`--validation expects a fraction in [0, 1), got "${v.validation}"`);
  const backendKind = parseBackend(v.backend ?? 'webgpu');
  const features = v.features?.split(',').map((s) => s.trim()).filter(Boolean);
  const source = await openInput(file, { target: v.target, features, skipBadRows: v['skip-bad-rows'], delimiter: v.delimiter, y: v.y });
  const tty = !v.json && process.stderr.isTTY === true;
  let result: TrainResult;
  try {
    const backend = await createBackend(backendKind);
    try {
      const bar = tty ? new ProgressBar(opts.epochs) : null;
      const perEpoch = source.rows !== null ? Math.ceil(source.rows / Math.min(opts.batch, source.rows)) : 1000;
      result = await train(backend, source, {
        ...opts,
        lossEvery: bar ? Math.max(1, Math.ceil(perEpoch / 20)) : undefined,
        onProgress: bar ? (p) => bar.update(p) : undefined,
        onEpoch: bar ? (e) => bar.epochDone(e.epoch, e.loss, e.seconds, e.validation?.mse) : undefined,
      });
      bar?.done();
    } finally {
      backend.dispose();
    }
  } finally {
    await source.close?.();
  }
  report(result, opts, backendKind, v.json === true, v.save);
  return 0;
}

function report(r: TrainResult, opts: { epochs: number; batch: number; lr: number; seed: number; shuffle: boolean; fitBias: boolean; standardize: boolean; validation: number }, backend: string, json: boolean, save?: string): void {
  const training = {
    epochs: opts.epochs, batch: Number.isFinite(opts.batch) ? opts.batch : 'full', lr: opts.lr, seed: opts.seed,
    shuffle: opts.shuffle, standardize: opts.standardize, validation: opts.validation, backend,
  };
  const standardization = r.standardization && { mean: [...r.standardization.mean], std: [...r.standardization.invStd].map((s) => 1 / s) };
  if (save) {
    const model = toModelFile(r.params, r.features, r.target, opts.fitBias, { metrics: r.final, training });
    writeAtomic(save, JSON.stringify(standardization ? { ...model, standardization } : model, null, 2) + '\n');
  }
  if (json) {
    process.stdout.write(JSON.stringify({
      backend: r.backend, adapter: r.device, rows: r.rows, features: r.features, target: r.target,
      weights: [...r.params.weights], bias: r.params.bias, loss: r.final.mse, mae: r.final.mae, r2: r.final.r2,
      epochs: opts.epochs, secondsPerEpoch: r.secondsPerEpoch, uploadSeconds: r.uploadSeconds,
      lossHistory: r.epochs.map((e) => e.loss),
      validation: r.validation ? { rows: r.validationRows, mse: r.validation.mse, mae: r.validation.mae, r2: r.validation.r2, history: r.epochs.map((e) => e.validation?.mse ?? null) } : null,
      standardization: standardization ?? null, streamed: r.streamed, skippedRows: r.skipped,
      peakRssBytes: process.resourceUsage().maxRSS * 1024, training, saved: save ?? null,
    }) + '\n');
    return;
  }
  const rows: (string | number)[][] = [['coefficient', 'value']];
  r.features.forEach((f, j) => rows.push([f, fmt(r.params.weights[j])]));
  if (opts.fitBias) rows.push(['(bias)', fmt(r.params.bias)]);
  console.log(table(rows));
  const how = r.streamed ? `streamed in chunks of ${r.chunkRows[0]} rows` : 'in memory';
  console.log(`\n${r.rows} rows × ${r.features.length} features, ${opts.epochs} epochs on ${r.backend} (${r.device}), ${how}`);
  if (r.skipped) console.log(`${r.skipped} bad rows skipped`);
  console.log(`final MSE ${fmt(r.final.mse)}  MAE ${fmt(r.final.mae)}  R² ${fmt(r.final.r2)}`);
  if (r.validation) console.log(`validation (${r.validationRows} rows): MSE ${fmt(r.validation.mse)}  MAE ${fmt(r.validation.mae)}  R² ${fmt(r.validation.r2)}`);
  console.log(`${duration(r.secondsPerEpoch)} per epoch (loading ${duration(r.uploadSeconds)})${save ? `; saved ${save}` : ''}`);
}
