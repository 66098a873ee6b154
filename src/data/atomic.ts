// Outputs that are complete or absent. Each is written to a temp file beside its destination and renamed into place;
// a set of files that belong together (X.npy, X.y.npy and the truth sidecar) is renamed so that its main file appears
// last and disappears first, so a crash at any moment leaves the old set, the new set, or no main file — never a main
// file with a partner from another run. Temp files carry the host and process that wrote them: live ones are removed
// on SIGINT, SIGTERM, SIGHUP and exit, and ones left by a killed process are removed by the next writer in the same
// directory. Node only.
import { close, closeSync, fsync, fsyncSync, openSync, readdirSync, rmSync, statfsSync, write, writeFileSync, renameSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Six characters of the host name's hash: temp files from other hosts (a shared directory) are never touched. */
const HOST = (() => {
  let h = 5381;
  for (const c of hostname()) h = ((h * 33) ^ c.charCodeAt(0)) >>> 0;
  return h.toString(36).padStart(6, '0').slice(-6);
})();

/** `.<name>.dh-<host>-<pid>-<random>.tmp`: a downhill temp file for destination <name>. */
const TEMP = /^\.(.+)\.dh-([0-9a-z]{6})-(\d+)-[0-9a-z]+\.tmp$/;

/** Temp files of this process not yet renamed or removed. */
const live = new Set<string>();

/** A fresh temp path for a destination. */
export function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.dh-${HOST}-${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temp files in `dir` left by downhill processes of this host that no longer run; returns their names. */
export function removeStaleTemps(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || m[2] !== HOST || Number(m[3]) === process.pid || alive(Number(m[3]))) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/** Removes this process's live temp files (synchronously: safe in signal and exit handlers). */
export function removeLiveTemps(): void {
  for (const t of live) rmSync(t, { force: true });
  live.clear();
}

let installed = false;

/**
 * Removes live temp files when the process ends: on exit, and on SIGINT, SIGTERM and SIGHUP, after which the signal
 * is raised again with its default action (so the exit status says which signal ended it) unless another listener
 * handles it. For programs (the CLI). A signal is handled once the event loop runs: between chunks of work.
 */
export function removeTempsOnExit(): void {
  if (installed) return;
  installed = true;
  process.on('exit', removeLiveTemps);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      removeLiveTemps();
      // Another listener (train --checkpoint) ends the run its own way; 'exit' then removes what is left.
      if (process.listenerCount(sig) > 1) return;
      process.removeListener(sig, handler);
      process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

/** Bytes free for an unprivileged writer in the directory of `path` (Infinity when unknown). */
export function freeBytes(path: string): number {
  try {
    const s = statfsSync(dirname(path));
    return s.bavail * s.bsize;
  } catch {
    return Infinity;
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform can sync a directory; the renames are still atomic.
  }
}

const fsyncAsync = promisify(fsync);
const closeAsync = promisify(close);

/** The few file-descriptor calls an AtomicFile makes, asynchronous (the descriptor itself is opened synchronously). */
class Fd {
  constructor(readonly fd: number) {}
  write(bytes: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesWritten: number }> {
    return new Promise((resolve, reject) =>
      write(this.fd, bytes, offset, length, position, (e, bytesWritten) => (e ? reject(e) : resolve({ bytesWritten }))));
  }
  sync(): Promise<void> {
    return fsyncAsync(this.fd);
  }
  close(): Promise<void> {
    return closeAsync(this.fd);
  }
}

/** A file being written under a temporary name next to its destination, renamed into place by commit(). */
export class AtomicFile {
  private state: 'open' | 'sealed' | 'done' = 'open';

  private constructor(readonly path: string, readonly tmp: string, private readonly fh: Fd) {}

  /**
   * Creates the temp file (exclusively) in the destination's directory, removing stale ones there first. The file is
   * created and registered as live in one synchronous step, so a signal handled between event-loop turns always
   * finds (and removes) it: an asynchronous open could create it after the handler ran.
   */
  static async create(path: string): Promise<AtomicFile> {
    removeStaleTemps(dirname(path));
    const tmp = tempPath(path);
    let fd: number;
    try {
      fd = openSync(tmp, 'wx');
    } catch (e) {
      throw new Error(`${path}: cannot write (${(e as Error).message})`);
    }
    live.add(tmp);
    return new AtomicFile(path, tmp, new Fd(fd));
  }

  /** Writes all of `bytes` at `position` (appends at the current end when position is null). */
  async write(bytes: Uint8Array, position: number | null = null): Promise<void> {
    let at = 0;
    try {
      while (at < bytes.length) {
        const { bytesWritten } = await this.fh.write(bytes, at, bytes.length - at, position === null ? null : position + at);
        at += bytesWritten;
      }
    } catch (e) {
      await this.abort();
      throw new Error(`${this.path}: cannot write (${(e as Error).message})`);
    }
  }

  /** Flushes and closes the temp file, ready to be renamed (by commit or commitAll). */
  async seal(): Promise<void> {
    if (this.state !== 'open') return;
    try {
      await this.fh.sync();
      await this.fh.close();
      this.state = 'sealed';
    } catch (e) {
      await this.abort();
      throw new Error(`${this.path}: cannot write (${(e as Error).message})`);
    }
  }

  /** Renames the sealed temp file over the destination. */
  async rename(): Promise<void> {
    try {
      await rename(this.tmp, this.path);
      live.delete(this.tmp);
      this.state = 'done';
    } catch (e) {
      await this.abort();
      throw new Error(`${this.path}: cannot write (${(e as Error).message})`);
    }
  }

  /** Flushes, closes and renames the temp file over the destination. */
  async commit(): Promise<void> {
    if (this.state === 'done') throw new Error(`${this.path}: already finished`);
    await this.seal();
    await this.rename();
    fsyncDir(dirname(this.path));
  }

  /** Closes and removes the temp file; the destination is untouched. Safe to call more than once. */
  async abort(): Promise<void> {
    if (this.state === 'done') return;
    if (this.state === 'open') await this.fh.close().catch(() => undefined);
    this.state = 'done';
    await rm(this.tmp, { force: true });
    live.delete(this.tmp);
  }
}

/**
 * Puts a set of files in place together: files[0], the main file, is removed first and renamed last, the others in
 * between, so a crash leaves either the old set, the new set, or no main file. Every file is sealed first; on any
 * error all temp files are removed.
 */
export async function commitAll(files: readonly AtomicFile[]): Promise<void> {
  try {
    for (const f of files) await f.seal();
    await rm(files[0].path, { force: true });
    for (const f of files.slice(1)) await f.rename();
    await files[0].rename();
    for (const dir of new Set(files.map((f) => dirname(f.path)))) fsyncDir(dir);
  } catch (e) {
    await Promise.all(files.map((f) => f.abort()));
    throw e;
  }
}

/** Writes a small text file atomically (synchronously): readers see the old file or the whole new one. */
export function writeFileAtomic(path: string, text: string): void {
  removeStaleTemps(dirname(path));
  const tmp = tempPath(path);
  try {
    live.add(tmp);
    writeFileSync(tmp, text, { flag: 'wx' });
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    fsyncDir(dirname(path));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`${path}: cannot write (${(e as Error).message})`);
  } finally {
    live.delete(tmp);
  }
}
