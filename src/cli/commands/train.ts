// `downhill train <file> --target <column> …`: trains on a CSV, NPY, Parquet or .dh file (streamed when larger than
// the memory budget) under any registered loss and penalty, and prints the result, or exactly one JSON object.
import { availableParallelism, totalmem } from 'node:os';
import { LOSSES } from '../../core/losses';
import { toModelFile } from '../../core/model_file';
import { specRecord, type TrainSpec } from '../../core/spec';
import { createBackend } from '../../train/backends';
import { parseDtype, trainDtype } from '../../data/cache_f16';
import { train } from '../../train/train';
import { type TrainResult } from '../../train/report';
import { backendFlag, bytes, num, parse, UsageError } from '../args';
import { checkOutputs, writeAtomic } from '../io';
import { coefficientTable, metricsJson, metricsText, paramsJson } from '../report';
import { duration, ProgressBar } from '../progress';
import { exactRows, gapText, solverJson, solverLines } from '../solver';
import { SkipLog } from '../skips';
import { openInput } from '../sources';
import type { RowColumns } from '../../data/row_columns';
import { catchingSignals, CHECKPOINT_FLAGS, CHECKPOINT_HELP, checkpointRun, yielder } from '../checkpoints';
import { expandOptionalValues, joinRepeated, SPEC_FLAGS, SPEC_HELP, specFromFlags } from '../spec_args';
import { encodingParams } from '../../core/encoding_options';
import type { Encoding } from '../../core/encoding';
import { encodingWords, note } from '../notes';
import { joinRanks, withRanks, type Ranks } from '../ranks';
import { adapterChoice, chooseAdapter } from '../adapter';
import type { BackendKind } from '../../backend';

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

export const TRAIN_USAGE = `downhill train <data.csv|data.npy|data.parquet|data.svm|data.dh> --target <column> [options]
  --target <name|index>    column to predict (required for CSV and Parquet)
  --features a,b,c         feature columns (default: all but the target); text columns among them are read as
                           categorical (named in a note) and one-hot encoded or hashed (--encoding, below)
  --weight <name|index>    column of per-row sample weights (finite, ≥ 0): the objective becomes Σ w·L / Σ w and the
                           metrics weighted means; the column is not a feature (see README: Sample weights); not yet
                           with categorical or svmlight (sparse) features
  --offset <name|index>    column added to every row's output before the loss's link, z = x·w + b + o: a log
                           offset for poisson, tweedie and gamma (log exposure: μ = e·exp(x·w + b)), a logit shift
                           for logistic, the identity for the other losses (the prediction moves by o); not for
                           softmax; not a feature; the model file records it and predict needs it
  --format F               read the file as csv, npy, parquet, svmlight or dh whatever its name says (svmlight is
                           also recognised by .svm/.svmlight/.libsvm or by its content: label idx:value …)
  --zero-based             svmlight: indices count from 0 (default: from 1, as scikit-learn's load_svmlight_file)
${SPEC_HELP}
  --memory-budget SIZE     bytes of rows kept in memory, e.g. 512M, 4G (default: a quarter of RAM);
                           larger data is streamed from the file every epoch
  --skip-bad-rows          CSV: skip rows with bad or missing cells (counted) instead of stopping
  --y y.npy                NPY: the targets (default <stem>.y.npy)
  --backend B              webgpu, cpu (f32 SIMD on every core) or reference (the f64 oracle, slow) (default webgpu)
  --adapter NAME|INDEX|local-rank
                           webgpu: the adapter to train on: one whose name contains NAME, the INDEXth (from 0, as
                           downhill info --adapters lists them), or local-rank: the process's rank on its machine
                           (downhill launch --gpus, mpirun, srun: one rank per GPU); default DOWNHILL_ADAPTER, else
                           Dawn's first. Identical GPUs are told apart through Mesa's Vulkan device-select layer
  --dtype f32|f16          how the GPU keeps features (default: as the .dh cache stores them); f16 needs a cache
                           written with --dtype f16 (convert, gen); f32 reads an f16 cache's values exactly
  --keep-diverged          keep (save, report) a run whose objective ended above where it started, with a
                           warning, instead of failing (a run that reached Infinity or NaN always fails)
  --json                   print exactly one JSON object on stdout
  --save model.json        write the trained model (atomically)
${CHECKPOINT_HELP}
  --sync-every K           distributed runs: local steps, the ranks' models averaged every K steps (default 1:
                           gradients summed every step); nothing is exchanged between averages, and the
                           epoch's loss and stops are agreed there; see downhill launch --help`;

const OPTIONS = {
  ...SPEC_FLAGS,
  target: { type: 'string' }, features: { type: 'string' }, weight: { type: 'string' }, offset: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' },
  save: { type: 'string' }, 'chunk-rows': { type: 'string' }, 'memory-budget': { type: 'string' },
  'skip-bad-rows': { type: 'boolean' }, 'keep-diverged': { type: 'boolean' }, y: { type: 'string' }, delimiter: { type: 'string' }, dtype: { type: 'string' }, ...CHECKPOINT_FLAGS,
  format: { type: 'string' }, 'zero-based': { type: 'boolean' }, 'sync-every': { type: 'string' }, adapter: { type: 'string' },
} as const;

/** Runs the train command; returns the exit code. */
export async function trainCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(joinRepeated(expandOptionalValues(argv), ['cross']), OPTIONS, 1);
  const file = positionals[0];
  if (!file) throw new UsageError('train needs a data file (.csv, .npy, .parquet or .dh)');
  const spec = specFromFlags(v);
  const run = {
    chunkRows: v['chunk-rows'] === undefined ? undefined : num('chunk-rows', v['chunk-rows'], 0, { integer: true, min: 1 }),
    memoryBudget: bytes('memory-budget', v['memory-budget'], Math.floor(totalmem() / 4)),
    syncEvery: v['sync-every'] === undefined ? undefined : num('sync-every', v['sync-every'], 0, { integer: true, min: 1 }),
  };
  const backendKind = backendFlag(v.backend);
  if (v.adapter !== undefined && backendKind !== 'webgpu') throw new UsageError(`--adapter chooses a WebGPU adapter; this run uses --backend ${backendKind}`);
  // Ranks meet before opening the data, so a rank that cannot read it stops the others at once.
  const ranks = await joinRanks();
  return withRanks(ranks, () => trainRun(v, file, spec, run, backendKind, ranks));
}

/** Opens the data, trains (on this rank's share in a distributed run), and reports; only rank 0 writes and prints. */
async function trainRun(
  v: Values, file: string, spec: TrainSpec, run: { chunkRows?: number; memoryBudget: number; syncEvery?: number }, backendKind: BackendKind, ranks: Ranks | null,
): Promise<number> {
  const lead = !ranks || ranks.rank === 0;
  const skips = new SkipLog();
  const checkpoints = checkpointRun(v, [file, ...(typeof v.y === 'string' ? [v.y] : [])]);
  const controller = new AbortController();
  const columns = { weight: v.weight as string | undefined, offset: v.offset as string | undefined };
  // The weight and offset columns are read as features are, then taken out of them (data/row_columns.ts).
  const named = typeof v.features === 'string' ? v.features.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  const features = named && [...named, ...[columns.weight, columns.offset].filter((c): c is string => c !== undefined && !named.includes(c))];
  const source = await openInput(file, {
    target: v.target as string | undefined, features, skipBadRows: v['skip-bad-rows'] === true, delimiter: v.delimiter as string | undefined,
    y: v.y as string | undefined, labels: LOSSES[spec.loss].task !== 'regression', onSkip: skips.onSkip,
    encoding: encodingParams(spec), format: v.format as string | undefined, zeroBased: v['zero-based'] === true, onNote: note,
  });
  checkOutputs([v.save as string | undefined, v.checkpoint as string | undefined], source.files ?? [file]);
  const tty = lead && !v.json && process.stderr.isTTY === true;
  let result: TrainResult;
  let signal: NodeJS.Signals | null = null;
  try {
    const dtype = trainDtype(file, source, parseDtype(v.dtype as string | undefined, (m) => new UsageError(m)), (m) => new UsageError(m));
    const choice = backendKind === 'webgpu' ? adapterChoice(v.adapter as string | undefined) : undefined;
    const dawnFlags = choice === undefined ? undefined : (await chooseAdapter(choice)).flags;
    // Ranks sharing a machine share its cores: the fast CPU backend of each takes its part.
    const backend = await createBackend(backendKind, { dtype, dawnFlags }, ranks?.localSize ? Math.max(1, Math.floor(availableParallelism() / ranks.localSize)) : {});
    try {
      const bar = tty ? new ProgressBar(spec.epochs) : null;
      const perEpoch = source.rows !== null ? Math.ceil(source.rows / Math.min(spec.batch, source.rows)) : 1000;
      const running = () => train(backend, source, {
        ...spec, ...run, ...columns, f64Rows: ranks ? undefined : exactRows(source, file, spec, backendKind), ...checkpoints, signal: controller.signal,
        collective: ranks?.collective,
        keepDiverged: v['keep-diverged'] === true,
        // With checkpoints, windows of ≤ 256 steps and a yielding pause hook let SIGINT/SIGTERM stop the run promptly.
        lossEvery: bar ? Math.max(1, Math.ceil(perEpoch / 20)) : checkpoints.onCheckpoint ? 256 : undefined,
        pause: checkpoints.onCheckpoint ? yielder() : undefined,
        onProgress: bar ? (p) => bar.update(p) : undefined,
        onPhase: bar ? (phase) => phase === 'compiling' && bar.phase('compiling shaders') : undefined,
        onEpoch: bar ? (e) => {
          bar.epochDone(e.epoch, e.loss, e.seconds, e.validation);
          if (e.gap) process.stderr.write(`  ${gapText(e.gap)}\n`);
        } : undefined,
      });
      // With --checkpoint, SIGINT/SIGTERM stop the run after its current window and write a final checkpoint.
      ({ value: result, signal } = checkpoints.onCheckpoint ? await catchingSignals(controller, running) : { value: await running(), signal: null });
      bar?.done();
    } finally {
      backend.dispose();
    }
  } finally {
    await source.close?.();
  }
  if (signal) {
    if (lead) process.stderr.write(result
      ? `downhill: stopped by ${signal} after ${result.epochs.length} epoch(s); checkpoint written to ${String(v.checkpoint)} ` +
        `(continue with --resume ${String(v.checkpoint)})${v.save ? '; the model was not saved' : ''}\n`
      : `downhill: stopped by ${signal} before training began; no checkpoint was written\n`);
    await ranks?.collective.close();
    return signal === 'SIGINT' ? 130 : 143;
  }
  if (lead) {
    report(result, spec, backendKind, v.json === true, v.save as string | undefined, ranks, columns, source.sparse?.encoding);
    if (result.endedWorse) process.stderr.write(`downhill: warning: ${result.endedWorse}\n`);
    const skipped = skips.summary(result.skipped);
    if (skipped) process.stderr.write(`${skipped}\n`);
  }
  // Every rank waits until rank 0 has written its outputs: a failure there still stops them all with an error.
  await ranks?.collective.close();
  return 0;
}

function report(r: TrainResult, spec: TrainSpec, backend: string, json: boolean, save: string | undefined, ranks: Ranks | null, columns: RowColumns, encoding?: Encoding): void {
  const training = {
    backend, ...(ranks ? { ranks: ranks.size, launcher: ranks.launcher } : {}), ...(columns.weight !== undefined ? { weight: columns.weight } : {}),
  };
  if (save) {
    const model = toModelFile(r.params, {
      spec, features: r.features, target: r.target, classes: r.classes, standardization: r.standardization, metrics: r.final, training, offset: columns.offset, encoding,
    });
    writeAtomic(save, JSON.stringify(model, null, 2) + '\n');
  }
  if (json) {
    const standardization = r.standardization && { mean: [...r.standardization.mean], std: [...r.standardization.invStd].map((s) => 1 / s) };
    process.stdout.write(JSON.stringify({
      backend: r.backend, adapter: r.device, rows: r.rows, features: r.features, target: r.target,
      task: LOSSES[spec.loss].task, classes: r.classes, ...paramsJson(r.params, encoding && { dense: r.features.length, encoding }),
      ...metricsJson(r.final), objective: r.objective, sparseWidth: encoding?.width ?? 0,
      epochs: spec.epochs, secondsPerEpoch: r.secondsPerEpoch, uploadSeconds: r.uploadSeconds, compileSeconds: r.compileSeconds,
      lossHistory: r.epochs.map((e) => e.loss),
      validation: r.validation ? { rows: r.validationRows, ...metricsJson(r.validation), history: r.epochs.map((e) => e.validation?.loss ?? null) } : null,
      standardization: standardization ?? null, streamed: r.streamed, skippedRows: r.skipped,
      peakRssBytes: process.resourceUsage().maxRSS * 1024, training: { ...specRecord(spec), ...training },
      saved: save ?? null, ...solverJson(r, spec), endedWorse: r.endedWorse, averaged: r.averaged, earlyStop: r.earlyStop, lrHistory: r.epochs.map((e) => e.lr),
    }) + '\n');
    return;
  }
  console.log(coefficientTable(r.features, r.params, r.classes, spec.fitBias, encoding));
  const how = r.streamed ? `streamed in chunks of ${r.chunkRows[0]} rows` : 'in memory';
  const sparse = encoding ? ` + ${encoding.width} sparse (${encoding.format === 'svmlight' ? 'svmlight' : encodingWords(encoding)})` : '';
  const penalty = spec.penalty === 'none' ? '' : `, penalty ${spec.penalty}`;
  const where = ranks ? `${ranks.size} ranks of ${r.backend} (${r.device})` : `${r.backend} (${r.device})`;
  console.log(`\n${r.rows} rows × ${r.features.length} features${sparse}, ${spec.solver === 'exact' ? 'exact least squares' : r.solve ? `${spec.loss} loss by --solver ${spec.solver}` : `${spec.epochs} epochs of ${spec.loss} loss`}${penalty} on ${where}, ${how}`);
  if (r.skipped) console.log(`${r.skipped} bad rows skipped`);
  for (const line of solverLines(r)) console.log(line);
  console.log(`final ${metricsText(r.final, r.classes)}`);
  if (r.validation) console.log(`validation (${r.validationRows} rows): ${metricsText(r.validation, r.classes)}`);
  if (r.earlyStop) console.log(`early stopping after epoch ${r.earlyStop.stoppedAfter}: kept epoch ${r.earlyStop.bestEpoch}'s weights (${r.earlyStop.reason})`);
  if (r.averaged) console.log('the weights are the running average of the iterates (--average)');
  const compiling = r.compileSeconds > 0.05 ? `, compiling shaders ${duration(r.compileSeconds)}` : '';
  const time = spec.solver === 'exact' ? `solved in ${duration(r.uploadSeconds)}` : r.solve ? `solved in ${duration(r.solve.seconds)} (loading ${duration(r.uploadSeconds)})` : `${duration(r.secondsPerEpoch)} per epoch (loading ${duration(r.uploadSeconds)}${compiling})`;
  console.log(`${time}${save ? `; saved ${save}` : ''}`);
}
