// A run that survives a reload: when a run starts the page writes its record (the form's values, the backends, the
// data: a built-in dataset's fields, the flights, or a file's key, whose rows a worker caches as it reads them) into
// the origin-private file system, each backend's worker keeps its checkpoints beside it (loop.ts), and the record is
// removed when the run ends. A page that finds a record with a checkpoint offers to resume the run from there.
// No DOM: the OPFS files are data/opfs.ts's.
import type { BackendKind } from '../../backend';
import type { DataKind, BackendChoice, FormValues, RunSettings } from '../form/settings';
import type { DataSpec, LoadedData } from '../data/datasets';
import type { FileTable } from '../data/files';
import { listNames, readText, remove, writeText } from '../data/opfs';

const RECORD = 'run.json';

/** The checkpoint file of a backend's run. */
export const checkpointName = (kind: BackendKind): string => `run-${kind}.ckpt`;

/** The data of a saved run: re-made from the form (built-in data, the flights), or a file's cached rows by key. */
export type SavedData = { kind: 'form' } | { kind: 'file'; key: string; name: string; size: number; target: string; labels: boolean; table?: FileTable };

/** What the page needs to start a run again as it was. */
export interface SavedRun {
  version: 1;
  kind: DataKind;
  /** The training fields and the built-in dataset's fields, by id. */
  values: FormValues;
  data: Readonly<Record<string, string>>;
  backend: BackendChoice;
  source: SavedData;
  /** For the offer: the data's name, the loss and the epochs. */
  name: string;
  loss: string;
  epochs: number;
}

/** A saved run with the checkpoints its backends kept, and the epoch the earliest of them reached. */
export interface Interrupted {
  run: SavedRun;
  checkpoints: Partial<Record<BackendKind, string>>;
  epoch: number;
}

/** What a saved run's data is, from the spec it trained on. */
export function savedData(spec: DataSpec, key: string): SavedData {
  if (spec.kind !== 'file') return { kind: 'form' };
  return { kind: 'file', key, name: spec.name, size: spec.size, target: spec.target, labels: spec.labels, ...(spec.table ? { table: spec.table } : {}) };
}

/**
 * The record of a run that starts, or null: gradient descent only (the exact solver has no epochs to resume). A file's
 * rows, hashed columns too, are cached by the worker that reads them, so a reloaded page finds them by key.
 */
export function savedRunOf(kind: DataKind, values: FormValues, data: Readonly<Record<string, string>>, d: LoadedData, s: RunSettings): SavedRun | null {
  if (s.spec.solver !== 'gd') return null;
  return {
    version: 1, kind, values, data, backend: s.backends.length > 1 ? 'both' : (s.backends[0] as BackendChoice), source: savedData(d.spec, d.key),
    name: d.description.split(':')[0], loss: s.spec.loss, epochs: s.spec.epochs,
  };
}

/** The spec of a saved file: its cached rows, by key (null for data the form makes again). */
export function savedSpec(d: SavedData): DataSpec | null {
  return d.kind === 'file' ? { kind: 'file', file: { cached: d.key }, name: d.name, size: d.size, target: d.target, labels: d.labels, ...(d.table ? { table: d.table } : {}) } : null;
}

/** Records a run that starts (its backends' old checkpoints go); false where the browser cannot keep it. */
export async function saveRun(run: SavedRun): Promise<boolean> {
  try {
    await remove(checkpointName('webgpu'), checkpointName('cpu'));
    return await writeText(RECORD, JSON.stringify(run));
  } catch {
    return false;
  }
}

/** Forgets the run (it ended, or the user discarded it). */
export function discardRun(): Promise<void> {
  return remove(RECORD, checkpointName('webgpu'), checkpointName('cpu'));
}

/** The run a reload interrupted, when it left a record and at least one checkpoint; else null (and nothing kept). */
export async function interruptedRun(): Promise<Interrupted | null> {
  const text = await readText(RECORD);
  if (!text) return null;
  const names = new Set(await listNames());
  const checkpoints: Interrupted['checkpoints'] = {};
  let epoch = Infinity;
  for (const kind of ['webgpu', 'cpu'] as const) {
    if (!names.has(checkpointName(kind))) continue;
    const c = await readText(checkpointName(kind));
    if (!c) continue;
    checkpoints[kind] = c;
    epoch = Math.min(epoch, Number((JSON.parse(c) as { epoch?: number }).epoch ?? 0));
  }
  try {
    const run = JSON.parse(text) as SavedRun;
    if (run.version === 1 && Number.isFinite(epoch)) return { run, checkpoints, epoch };
  } catch {
    // an unreadable record is dropped below
  }
  await discardRun();
  return null;
}
