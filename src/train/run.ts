// The epoch loop of one run on a session: epochs of steps (resident or streamed), their reports, the plateau
// schedule and early stopping after each epoch, checkpoints (every N epochs or steps, and when stopped), resuming
// from one, the training-health checks, and the final metrics at the reported parameters (the running average when
// averaging, early stopping's best weights when it stopped).
import type { ChunkStore } from '../backend';
import { LOSSES } from '../core/losses';
import { confusionClasses, emptySums, metricsFromSums } from '../core/metrics';
import { unstandardize } from '../core/model';
import { penaltyValue } from '../core/penalties';
import type { Checkpoint } from './checkpoint';
import { residentEpoch, streamedEpoch, streamedMetrics, type EpochContext } from './epochs';
import { TrainingHealth } from './health';
import type { EpochReport, TrainResult } from './report';

const now = (): number => performance.now() / 1000;

/** The data fingerprint a checkpoint records: what the run read, plus the caller's facts (file size, time). */
function fingerprint(ctx: EpochContext) {
  const { source } = ctx;
  return { features: [...source.features], target: source.target, rows: ctx.stats.y.n, classes: ctx.targets.classes, ...ctx.plan.checkpoint.fingerprint };
}

/** Runs the epochs of a prepared context and returns the result. */
export async function runEpochs(ctx: EpochContext, uploadSeconds: number): Promise<TrainResult> {
  const { plan, session, store, validation, stream, model, run: state } = ctx;
  const { spec, signal } = plan;
  const { classes } = ctx.targets;
  const policy = plan.checkpoint;
  const norm = model.standardize;
  const unit = LOSSES[spec.loss];
  const evaluate = async (s: ChunkStore, yShift: number, which = state.which) => metricsFromSums(await session.evaluate(s, yShift, which), unit);
  const resume = policy.resume;
  const epochs: EpochReport[] = resume ? [...resume.epochs] : [];
  const health = new TrainingHealth(ctx.source, spec, ctx.backend.kind, plan.keepDiverged);
  // Where the run starts: the objective over resident rows (one evaluation pass), else the first batch's (below).
  // No penalty, no copy of the parameters (2^24 hashed weights are 128 MB); read without one where the session can.
  const view = (which: 'current' | 'average') => (session.viewModel ? session.viewModel(which) : session.readModel(which));
  const penaltyAt = async () => (model.penalty === 'none' ? 0 : penaltyValue((await view('current')).weights, model.penaltyHp));
  if (!resume && !stream && spec.epochs > 0) health.started({ value: (await evaluate(store, ctx.stats.y.mean(0), 'current')).loss + await penaltyAt(), kind: 'exact' });
  const startPenalty = !resume && stream ? await penaltyAt() : NaN;
  let trainSeconds = 0;
  const checkpoint = async (epoch: number, step: number, epochLosses: readonly number[], t = state.t) => {
    if (!policy.write) return;
    const c: Checkpoint = {
      format: 'downhill.checkpoint', version: 2, spec, fingerprint: fingerprint(ctx), standardization: norm ?? null,
      params: await session.readModel('current'), state: await session.readState(), run: { ...state.toData(), t },
      epoch, step, epochLosses: [...epochLosses], epochs: epochs.map(({ params: _p, ...e }) => e),
      ...(policy.ranks ? { ranks: policy.ranks } : {}),
    };
    await policy.write(c);
  };
  // Inside an epoch the run's t is updated when the epoch ends: a window's checkpoint counts from the epoch's start.
  let epochStart = state.t;
  let lastCheckpointT = state.t;
  if (policy.everySteps) {
    ctx.onWindow = async (epoch, losses) => {
      const before = resume && epoch === resume.epoch ? resume.epochLosses : [];
      const t = epochStart + before.length + losses.length;
      if (t - lastCheckpointT < policy.everySteps) return;
      lastCheckpointT = t;
      await checkpoint(epoch, before.length + losses.length, [...before, ...losses], t);
    };
  }
  for (let epoch = resume ? resume.epoch : 0; epoch < spec.epochs && !signal?.aborted; epoch++) {
    const t0 = now();
    const skip = resume && epoch === resume.epoch ? resume.step : 0;
    epochStart = state.t - skip;
    const taken = stream ? await streamedEpoch(ctx, epoch, t0, skip) : await residentEpoch(ctx, epoch, t0, skip);
    const losses = skip ? [...resume!.epochLosses, ...taken] : taken;
    if (epoch === 0 && stream && !resume && losses.length) health.started({ value: losses[0] + startPenalty, kind: 'batch' });
    await session.sync();
    const seconds = now() - t0;
    trainSeconds += seconds;
    const report: EpochReport = {
      epoch, loss: losses.reduce((a, b) => a + b, 0) / losses.length, seconds, steps: losses.length, lr: state.schedule.rate(Math.max(0, state.t - 1)),
    };
    await health.epoch(epoch, report.loss, losses.length);
    if (signal?.aborted && losses.length < state.stepsPerEpoch) {
      // Stopped inside the epoch: the checkpoint records where, so a resumed run takes the remaining steps.
      await checkpoint(epoch, losses.length, losses);
      epochs.push(report);
      break;
    }
    if (plan.evaluateEachEpoch && !stream) report.metrics = await evaluate(store, ctx.stats.y.mean(0));
    if (validation && validation.rows > 0) report.validation = await evaluate(validation.store, validation.y.mean(0));
    const stop = await state.endEpoch(epoch, report.validation?.loss ?? report.loss, session);
    epochs.push(report);
    if (plan.onEpoch) {
      const p = await session.readModel(state.which);
      report.params = norm ? unstandardize(p, norm) : p;
      plan.onEpoch(report);
    }
    const last = stop || epoch + 1 === spec.epochs || !!signal?.aborted;
    if (last || (policy.everyEpochs && (epoch + 1) % policy.everyEpochs === 0)) await checkpoint(epoch + 1, 0, []);
    if (stop) break;
  }
  // Early stopping keeps the best weights; otherwise report the running average once averaging has begun.
  const best = state.bestParams;
  if (best) session.writeModel(best.params);
  const which = best ? 'current' : state.which;
  const final = plan.skipFinalMetrics
    ? metricsFromSums({ ...emptySums(confusionClasses(spec.loss, model.outputs)), rows: ctx.stats.y.n, loss: NaN, m: new Float64Array(4).fill(NaN) }, unit)
    : stream ? await streamedMetrics(ctx, unit, which) : await evaluate(store, ctx.stats.y.mean(0), which);
  // The run trains no more: the session's own parameters, not a copy (the caller disposes of the session, not of them).
  const trained = await view(which);
  await health.final(trained, final, plan.skipFinalMetrics);
  const objective = final.loss + penaltyValue(trained.weights, model.penaltyHp);
  const endedWorse = plan.skipFinalMetrics ? null : await health.ended(objective);
  const lastValidation = !best && epochs.at(-1)?.validation;
  return {
    spec, classes,
    params: norm ? unstandardize(trained, norm) : trained,
    objective, endedWorse,
    standardization: norm,
    epochs, final,
    // The last epoch already measured the held-out rows at the final parameters (unless early stopping went back).
    validation: lastValidation || (validation && validation.rows > 0 ? await evaluate(validation.store, validation.y.mean(0), which) : undefined),
    averaged: best ? best.averaged : which === 'average', earlyStop: state.stopped, stopped: !!signal?.aborted,
    compileSeconds: session.compileSeconds ?? 0,
    secondsPerEpoch: epochs.length ? trainSeconds / Math.max(1, epochs.length - (resume?.epochs.length ?? 0)) : 0, uploadSeconds,
    backend: ctx.backend.kind, device: ctx.backend.device, rows: ctx.stats.y.n, validationRows: validation?.rows ?? 0,
    d: ctx.d, features: [...ctx.source.features], target: ctx.source.target, streamed: !!stream,
    chunkRows: stream ? [stream.slotRows] : [...store.rowsIn], skipped: ctx.source.skipped ?? 0,
  };
}
