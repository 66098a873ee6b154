// Model files on disk (Node): read and validated (core/model_file.ts), written atomically (atomic.ts).
import { readFileSync } from 'node:fs';
import { parseModelFile, type LoadedModel, type ModelFile } from '../core/model_file';
import { writeFileAtomic } from './atomic';

/** Reads and validates a model file (version 1 or 2); errors name the file and what is wrong. */
export function readModelFile(path: string): LoadedModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${path}: cannot read (${code === 'ENOENT' ? 'no such file' : (e as Error).message})`);
  }
  return parseModelFile(text, path);
}

/** Writes a model file atomically (readers see the old file or the whole new one); its numbers must be finite. */
export function saveModelFile(path: string, model: ModelFile): void {
  const bad = [...model.weights.flat(), ...model.bias].find((v) => !Number.isFinite(v));
  if (bad !== undefined) throw new Error(`${path}: not saved: the model has a non-finite parameter (${bad})`);
  writeFileAtomic(path, JSON.stringify(model, null, 2) + '\n');
}
