// File I/O for the CLI: inputs are only read; outputs are written atomically (data/atomic.ts) and never over an input.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../data/atomic';
import { checkDistinct } from '../data/fingerprint';
import { UsageError } from './args';

/** Reads a text file; errors name the file. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new Error(`${file}: cannot read (${why})`);
  }
}

/** Writes text so that readers see the old file or the whole new one, never a part. */
export function writeAtomic(file: string, text: string): void {
  writeFileAtomic(file, text);
}

/** A usage error (exit code 2) when an output would overwrite an input or another output (same inode, through links). */
export function checkOutputs(outputs: readonly (string | undefined)[], inputs: readonly string[]): void {
  checkDistinct(outputs.filter((o): o is string => o !== undefined), inputs, (m) => new UsageError(m));
}
