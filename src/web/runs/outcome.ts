// How a run on one or both backends ended, in the page's words, without the DOM: "Done (WebGPU: 10 epochs; CPU: …)"
// with which was faster, "Stopped; the model trained so far is kept", "Diverged in epoch N …" with a safer rate, or
// "Training failed: …". When one backend of a run on both fails, the other is stopped there and what it trained stays
// on the page: the message says so. A software renderer's timings are named as such.
import type { BackendKind } from '../../backend';
import type { TrainSpec } from '../../core/spec';
import { BACKEND_LABEL } from '../charts/plot';
import { pageMessage } from '../form/settings';
import { fmtSeconds, fmtSpeedup, type RunState } from '../state';
import { divergedText, divergenceOf } from './diverged';
import type { TrainedModel } from './export';

/** What one backend's run ended with: its model, or the error that ended it. */
export type Settled = { kind: BackendKind; model: TrainedModel } | { kind: BackendKind; error: unknown };

/** Whether an adapter is a software renderer (its timings say nothing about a GPU). */
export const isSoftware = (device: string): boolean => /swiftshader|llvmpipe|lavapipe|software/i.test(device);

/** The status while a run trains: on which devices, streamed or not, and the software renderer's caveat in Both. */
export function runningText(runners: readonly { kind: BackendKind; device: string }[], stream: boolean): string {
  const soft = runners.length > 1 && runners.some((r) => r.kind === 'webgpu' && isSoftware(r.device))
    ? ' WebGPU runs on a software renderer here, so its speed says nothing about a real GPU.' : '';
  return `Training on ${runners.map((r) => r.device).join(' and ')}${stream ? ' (streaming the data every epoch)' : ''}…${soft}`;
}

/** What a finished run did: its epochs (and where early stopping kicked in), or the exact solve. */
export function runText(m: TrainedModel): string {
  if (m.solved && m.exact) {
    const warn = m.exact.warnings.length ? `; ${m.exact.warnings.map(pageMessage).join('; ')}` : '';
    return `solved exactly in one pass (rank ${m.exact.rank} of ${m.exact.columns}${warn})`;
  }
  if (m.path) {
    const p = m.path;
    return `a regularization path of ${p.alphas.length} α's by ${m.solve?.solver ?? 'the solver'}, kept α ${p.alphas[p.chosen].toPrecision(3)} with ${p.steps[p.chosen].nonzeros} nonzero weights (${pageMessage(p.choice)})`;
  }
  if (m.solve) {
    const s = m.solve;
    const how = `${s.iterations.length} iteration${s.iterations.length === 1 ? '' : 's'}, ${s.passes} passes over the data`;
    return s.converged ? `solved by ${s.solver} in ${how}` : `${s.solver} did not converge (${how}: ${pageMessage(s.reason)})`;
  }
  const epochs = `${m.epochsDone} epoch${m.epochsDone === 1 ? '' : 's'}`;
  return m.earlyStop ? `${epochs}, stopped early and kept epoch ${m.earlyStop.bestEpoch}` : epochs;
}

/** "WebGPU was 3.2× faster than the CPU (12 ms vs 38 ms per epoch)" for a run on both backends, with the software caveat. */
export function fasterText(m: ReadonlyMap<BackendKind, TrainedModel>): string {
  const gpu = m.get('webgpu')?.secondsPerEpoch;
  const cpu = m.get('cpu')?.secondsPerEpoch;
  if (!(gpu && cpu)) return '';
  const compile = m.get('webgpu')?.compileSeconds ?? 0;
  const once = compile > 0.05 ? `, after compiling its shaders once in ${fmtSeconds(compile)}` : '';
  const soft = isSoftware(m.get('webgpu')?.device ?? '') ? ' This adapter is a software renderer, so its times say nothing about a real GPU.' : '';
  return ` WebGPU was ${fmtSpeedup(cpu / gpu)} than the CPU (${fmtSeconds(gpu)} vs ${fmtSeconds(cpu)} per epoch${once}).${soft}`;
}

/** How a run ended: its state and status line. `losses`: each backend's epoch losses as the page saw them. */
export function outcome(settled: readonly Settled[], spec: TrainSpec, losses: (k: BackendKind) => readonly number[]): { state: RunState; text: string } {
  const models = new Map(settled.flatMap((s) => ('model' in s ? [[s.kind, s.model] as const] : [])));
  const failed = settled.find((s): s is Extract<Settled, { error: unknown }> => 'error' in s);
  if (!failed) {
    const all = [...models.values()];
    const stopped = all.some((m) => m.stopped);
    const reasons = [...new Set(all.map((m) => m.earlyStop?.reason).filter((r): r is string => !!r))];
    const why = reasons.length ? ` Early stopping: ${reasons.map(pageMessage).join('; ')}.` : '';
    const summary = all.map((m) => `${BACKEND_LABEL[m.backend]}: ${runText(m)}`).join('; ');
    return { state: stopped ? 'stopped' : 'done', text: `${stopped ? 'Stopped; the model trained so far is kept' : 'Done'} (${summary}).${why}${fasterText(models)}` };
  }
  const d = divergenceOf(failed.error);
  const both = settled.length > 1;
  let text = d ? divergedText(d, spec, losses(failed.kind)) : `Training failed: ${pageMessage((failed.error as Error).message)}`;
  if (both) text = `${BACKEND_LABEL[failed.kind]}: ${text}`;
  for (const [k, m] of models) {
    text += m.stopped
      ? ` ${BACKEND_LABEL[k]} was stopped there; its model after ${m.epochsDone} epoch${m.epochsDone === 1 ? '' : 's'} is kept.`
      : ` ${BACKEND_LABEL[k]} finished (${runText(m)}); its model is kept.`;
  }
  return { state: d ? 'diverged' : 'failed', text };
}
