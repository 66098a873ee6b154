// Checkpoints from the command line: `--checkpoint FILE [--checkpoint-every N | Nsteps]` writes one atomically at
// those moments and when SIGINT or SIGTERM stops the run; `--resume FILE` continues it, refusing (with what differs)
// a checkpoint whose spec or data fingerprint does not match. The input file's size and modification time are part
// of the fingerprint.
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseCheckpoint, serializeCheckpoint, type Checkpoint, type DataFingerprint } from '../train/checkpoint';
import type { RunOptions } from '../train/plan';
import { UsageError } from './args';
import { readText, writeAtomic } from './io';

/** The checkpoint flags' parseArgs entries and help. */
export const CHECKPOINT_FLAGS = { checkpoint: { type: 'string' }, 'checkpoint-every': { type: 'string' }, resume: { type: 'string' } } as const;
export const CHECKPOINT_HELP = `  --checkpoint FILE        write a checkpoint (weights, optimizer state, position, spec) atomically at the end,
                           when stopped by SIGINT/SIGTERM, and every --checkpoint-every N epochs or Nsteps steps
  --resume FILE            continue the run a checkpoint recorded (same data and options)`;

/** The facts about input files a checkpoint records. */
export function fileFingerprint(files: readonly string[]): DataFingerprint {
  const out: DataFingerprint = {};
  for (const f of files) {
    if (!existsSync(f)) continue;
    const s = statSync(f);
    out[`${basename(f)} size`] = s.size;
    out[`${basename(f)} mtime`] = new Date(s.mtimeMs).toISOString();
  }
  return out;
}

/** The run options for the checkpoint flags: when to write, where, and what to resume. */
export function checkpointRun(v: Record<string, unknown>, inputs: readonly string[]): Pick<RunOptions, 'onCheckpoint' | 'checkpointEpochs' | 'checkpointSteps' | 'resume' | 'fingerprint'> {
  const path = v.checkpoint as string | undefined;
  const every = v['checkpoint-every'] as string | undefined;
  if (every !== undefined && !path) throw new UsageError('--checkpoint-every needs --checkpoint FILE');
  let checkpointEpochs: number | undefined;
  let checkpointSteps: number | undefined;
  if (every !== undefined) {
    const m = /^(\d+)\s*(steps?|epochs?)?$/.exec(every.trim());
    if (!m || Number(m[1]) < 1) throw new UsageError(`--checkpoint-every expects N (epochs) or Nsteps, e.g. 2 or 500steps; got "${every}"`);
    if (m[2]?.startsWith('step')) checkpointSteps = Number(m[1]);
    else checkpointEpochs = Number(m[1]);
  }
  const resumePath = v.resume as string | undefined;
  let resume: Checkpoint | undefined;
  if (resumePath !== undefined) {
    if (!existsSync(resumePath)) throw new UsageError(`--resume: no checkpoint at ${resumePath}`);
    resume = parseCheckpoint(readText(resumePath), resumePath);
  }
  return {
    fingerprint: fileFingerprint(inputs), resume,
    ...(path ? { onCheckpoint: async (c: Checkpoint) => writeAtomic(path, serializeCheckpoint(c)), checkpointEpochs, checkpointSteps } : {}),
  };
}

/**
 * A pause hook that lets the event loop run (signals, I/O) at least every 50 ms: the CPU backends take their steps
 * without yielding, so without it a caught signal would wait for the end of the run.
 */
export function yielder(): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < 50) return;
    await new Promise((r) => setImmediate(r));
    last = performance.now();
  };
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Runs `fn` with SIGINT and SIGTERM turned into `controller.abort()` (the run stops after its current window and
 * writes its checkpoint); a second signal ends the process at once. Returns the first signal seen, if any. The
 * process's own signal listeners are set aside meanwhile and restored afterwards.
 */
export async function catchingSignals<T>(controller: AbortController, fn: () => Promise<T>): Promise<{ value: T; signal: NodeJS.Signals | null }> {
  let signal: NodeJS.Signals | null = null;
  const saved = new Map(SIGNALS.map((s) => [s, process.listeners(s)] as const));
  const restore = () => {
    for (const s of SIGNALS) {
      process.removeAllListeners(s);
      for (const l of saved.get(s)!) process.on(s, l as NodeJS.SignalsListener);
    }
  };
  for (const s of SIGNALS) {
    process.removeAllListeners(s);
    process.on(s, () => {
      if (signal) {
        restore();
        process.kill(process.pid, s);
        return;
      }
      signal = s;
      controller.abort();
    });
  }
  try {
    return { value: await fn(), signal };
  } catch (e) {
    // Stopped before the first epoch (while loading): nothing to checkpoint yet.
    if (signal && controller.signal.aborted) return { value: null as T, signal };
    throw e;
  } finally {
    restore();
  }
}
