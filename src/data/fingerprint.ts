// What identifies an input file's contents cheaply — size, modification time (ns), inode and device — taken when a
// source opens it and compared at every pass and every random-access read, so a file replaced, truncated or
// rewritten during a streamed training stops it with the file's name instead of mixing two versions. Also the
// identity test that keeps an output from overwriting an input (same inode through links and symlinks). Node only.
import { statSync, realpathSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DataError } from './csv';

/** Size, modification time, inode and device of a file. */
export interface Fingerprint {
  size: bigint;
  mtimeNs: bigint;
  ino: bigint;
  dev: bigint;
}

async function statOf(file: string): Promise<Fingerprint | null> {
  try {
    const s = await stat(file, { bigint: true });
    return { size: s.size, mtimeNs: s.mtimeNs, ino: s.ino, dev: s.dev };
  } catch {
    return null;
  }
}

function statOfSync(file: string): Fingerprint | null {
  try {
    const s = statSync(file, { bigint: true });
    return { size: s.size, mtimeNs: s.mtimeNs, ino: s.ino, dev: s.dev };
  } catch {
    return null;
  }
}

/** What differs between two fingerprints, as words; null when they match. */
function difference(was: Fingerprint, now: Fingerprint | null): string | null {
  if (now === null) return 'it was deleted or renamed';
  if (now.ino !== was.ino || now.dev !== was.dev) return 'it was replaced by another file';
  if (now.size !== was.size) return `its size went from ${was.size} to ${now.size} bytes`;
  if (now.mtimeNs !== was.mtimeNs) return 'it was modified';
  return null;
}

/** The fingerprints of a source's files, taken once and checked on demand. */
export class FileWatch {
  private constructor(private readonly prints: ReadonlyMap<string, Fingerprint>) {}

  /** Fingerprints `files` now (each must exist). */
  static async of(files: readonly string[]): Promise<FileWatch> {
    const prints = new Map<string, Fingerprint>();
    for (const f of files) {
      const p = await statOf(f);
      if (!p) throw new DataError(f, null, null, 'cannot read (no such file)');
      prints.set(f, p);
    }
    return new FileWatch(prints);
  }

  /** The files watched. */
  get files(): string[] {
    return [...this.prints.keys()];
  }

  /** Throws a DataError naming the first file that changed since it was fingerprinted. */
  async check(): Promise<void> {
    for (const [file, was] of this.prints) changed(file, difference(was, await statOf(file)));
  }

  /** check(), blocking. */
  checkSync(): void {
    for (const [file, was] of this.prints) changed(file, difference(was, statOfSync(file)));
  }
}

function changed(file: string, why: string | null): void {
  if (why) throw new DataError(file, null, null, `the file changed while it was being read (${why}); reading on would mix two versions of it, so nothing was kept: run again`);
}

/** An async iterable that checks `watch` before its first item and after its last. */
export async function* watched<T>(watch: FileWatch, items: () => AsyncIterable<T>): AsyncGenerator<T> {
  await watch.check();
  yield* items();
  await watch.check();
}

/** Identity of a path that may not exist yet: its inode when it exists, else its real directory and name. */
function identity(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `inode ${s.dev}:${s.ino}`;
  } catch {
    try {
      return `path ${join(realpathSync(dirname(resolve(path))), basename(path))}`;
    } catch {
      return `path ${resolve(path)}`;
    }
  }
}

/**
 * Throws `make(message)` when an output is an input or another output: the same path, or the same file through a
 * hard link or a symbolic link (compared by device and inode), or the same not-yet-existing name in a directory
 * reached two ways.
 */
export function checkDistinct(outputs: readonly string[], inputs: readonly string[], make: (message: string) => Error): void {
  const seen = new Map<string, string>();
  for (const f of inputs) seen.set(identity(f), f);
  for (const out of outputs) {
    const id = identity(out);
    const other = seen.get(id);
    if (other !== undefined) {
      const input = inputs.includes(other);
      throw make(`the output ${out} is ${other === out ? 'the' : `the same file as the`} ${input ? 'input' : 'other output'}${other === out ? '' : ` ${other}`}; ` +
        `writing it would destroy ${input ? 'the input' : 'one of them'}: choose another name`);
    }
    seen.set(id, out);
  }
}
