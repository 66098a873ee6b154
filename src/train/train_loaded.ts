// A loaded run's training: the model spec (standardized from the rows' statistics), the solver hooks, a session on
// the rows' store, a resume's state restored, then the epoch loop (run.ts). train() and the distributed run
// (distributed.ts) both end here, after loading their rows their own way.
import type { Backend } from '../backend';
import { standardizeParams } from '../core/model';
import { OptionError } from '../core/options';
import { modelSpecOf, type TrainSpec } from '../core/spec';
import type { DataSource } from '../data/source';
import { checkpointMismatch, checkRanks, checkResumable } from './checkpoint';
import type { EpochContext } from './epochs';
import { meanWeightOf, standardizationOf, trainRows, withSparse, type RowStats } from './load';
import type { LoadedRun } from './loaded';
import type { TrainPlan } from './plan';
import type { TrainResult } from './report';
import { runEpochs } from './run';
import { RunState } from './run_state';
import { solverHooks } from './solve';

/** Trains on a loaded run: the session, a resume's state, then the epochs. */
export async function trainLoaded(backend: Backend, plan: TrainPlan, data: LoadedRun, uploadSeconds: number): Promise<TrainResult> {
  const { spec } = plan;
  const { source } = data.targets;
  const d = source.features.length;
  // A sparse block (categorical or svmlight features) is the last `width` of the model's D = d + width columns.
  const width = source.sparse?.width ?? 0;
  const norm = data.stats.x ? withSparse(standardizationOf(data.stats.x, spec.fitBias), width) : undefined;
  const resume = plan.checkpoint.resume;
  if (resume) {
    const facts = { features: [...source.features], target: source.target, rows: data.stats.y.n, classes: data.targets.classes, ...plan.checkpoint.fingerprint };
    checkRanks(resume, plan.checkpoint.ranks);
    const diff = checkpointMismatch(resume, spec, facts);
    if (diff.length) throw new Error(`the checkpoint does not match this run, so it cannot resume: ${diff.join('; ')}`);
  }
  const model = modelSpecOf(spec, d + width, data.targets.outputs, resume ? resume.standardization ?? undefined : norm, meanWeightOf(data.stats, source.description), width ? { dense: d, width } : undefined);
  const hooks = await solverHooks(source, plan, model);
  plan = hooks.plan(plan);
  plan.onPhase?.('compiling');
  const init = resume?.params ?? (plan.init ? standardizeParams(plan.init, norm) : undefined);
  // A step covering its whole chunk reads it in storage order, so a full batch of resident rows is never shuffled.
  const rows = data.stats.y.n;
  const use = { batch: Math.min(spec.batch, rows || spec.batch), shuffle: spec.shuffle && !(rows > 0 && spec.batch >= rows && !data.stream), average: spec.average, gradient: plan.hostUpdate };
  const session = hooks.session(await backend.createSession(data.store, model, init, use));
  try {
    const run = new RunState(spec, await stepsPerEpoch(plan, source, data.stats));
    checkAveraging(spec, run, !!resume);
    if (resume) {
      checkResumable(resume, { d: d + width, outputs: data.targets.outputs, stepsPerEpoch: run.stepsPerEpoch });
      session.writeState(resume.state);
      run.restore(resume.run);
    }
    const ctx: EpochContext = { backend, session, plan, ...data, source, d, model, run };
    plan.onPhase?.('training');
    return hooks.finish(await runEpochs(ctx, uploadSeconds));
  } finally {
    session.dispose();
  }
}

/**
 * Steps in an epoch: the training rows over the batch size. Rows not known yet (a CSV streamed without a first
 * pass, or a holdout on streamed data) are counted in a pass when the spec needs the epoch's length (a schedule
 * period of one epoch, cosine's horizon, averaging: where it starts, and whether it starts at all; a resume's position).
 */
async function stepsPerEpoch(plan: TrainPlan, source: DataSource, stats: RowStats): Promise<number> {
  const { spec } = plan;
  let rows = stats.y.n;
  const needed = (['step', 'exponential'].includes(spec.lrSchedule) && spec.stepEvery === 0) || spec.lrSchedule === 'cosine' || spec.average ||
    plan.checkpoint.resume !== null;
  if (rows === 0 && needed) {
    for await (const c of trainRows(source.read({ signal: plan.signal ?? undefined }), source.features.length, plan.hold, null)) rows += c.rows;
  }
  return rows === 0 ? 1 : Math.ceil(rows / Math.min(spec.batch, rows));
}

/** --average that would average nothing (it starts after the run's last step) stops before training starts. */
function checkAveraging(spec: TrainSpec, run: RunState, resuming: boolean): void {
  const total = run.stepsPerEpoch * spec.epochs;
  if (!spec.average || resuming || run.averageFrom < total) return;
  const from = spec.averageStart > 0 ? `step ${spec.averageStart}` : `step ${run.averageFrom + 1} (the first of epoch 2)`;
  throw new OptionError('average', `--average would average nothing: it starts at ${from}, but the run takes ${total} steps ` +
    `(${spec.epochs} epoch(s) of ${run.stepsPerEpoch}); train more epochs or start it earlier with --average-start S (S ≤ ${total})`);
}

