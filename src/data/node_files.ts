// Node file plumbing for the data layer: the CSV source over fs streams, exact positioned reads, and
// atomic output (a temp file in the target's directory, renamed into place; removed on any error). Kept apart
// so the browser bundle (csv_stream.ts, blob_source.ts) never imports node:fs.
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BLOCK_BYTES } from './blocks';
import { DataError } from './csv';
import { csvSourceFromStream, type CsvSource, type CsvStreamOptions } from './csv_stream';
import { FileWatch, watched } from './fingerprint';
import { ParquetSource, type ParquetOptions } from './parquet';

/** Throws a DataError naming the file unless it exists and is a regular file; returns its size in bytes. */
export async function fileSize(file: string): Promise<number> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new DataError(file, null, null, 'cannot read (not a regular file)');
    return s.size;
  } catch (e) {
    if (e instanceof DataError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(file, null, null, `cannot read (${code === 'ENOENT' ? 'no such file' : (e as Error).message})`);
  }
}

/**
 * Opens a CSV file as a streaming source (the header is read now; each pass streams the file again, checking before
 * and after that the file has not changed since it was opened).
 */
export async function csvSource(file: string, opts: CsvStreamOptions): Promise<CsvSource & { files: string[] }> {
  await fileSize(file);
  const watch = await FileWatch.of([file]);
  const src = await csvSourceFromStream(file, () => watched(watch, () => createReadStream(file, { highWaterMark: BLOCK_BYTES })), opts);
  return Object.assign(src, { files: [file] });
}

/** Reads exactly `length` bytes at `position` into `into` (from its start); a short file is a DataError. */
export async function readExact(fh: FileHandle, file: string, into: Uint8Array, length: number, position: number): Promise<void> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(into, got, length - got, position + got);
    if (bytesRead === 0) throw new DataError(file, null, null, `unexpected end of file: expected ${length} bytes at offset ${position}, got ${got}`);
    got += bytesRead;
  }
}

/** A file being written under a temporary name next to its destination, renamed into place by commit(). */
export class AtomicFile {
  private done = false;

  private constructor(readonly path: string, readonly tmp: string, readonly fh: FileHandle) {}

  /** Creates the temp file (exclusively) in the destination's directory. */
  static async create(path: string): Promise<AtomicFile> {
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
    try {
      return new AtomicFile(path, tmp, await open(tmp, 'wx'));
    } catch (e) {
      throw new Error(`${path}: cannot write (${(e as Error).message})`);
    }
  }

  /** Writes all of `bytes` at `position` (appends at the current end when position is null). */
  async write(bytes: Uint8Array, position: number | null = null): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      const { bytesWritten } = await this.fh.write(bytes, at, bytes.length - at, position === null ? null : position + at);
      at += bytesWritten;
    }
  }

  /** Flushes, closes and renames the temp file over the destination. */
  async commit(): Promise<void> {
    if (this.done) throw new Error(`${this.path}: already finished`);
    this.done = true;
    try {
      await this.fh.sync();
      await this.fh.close();
      await rename(this.tmp, this.path);
    } catch (e) {
      await rm(this.tmp, { force: true });
      throw new Error(`${this.path}: cannot write (${(e as Error).message})`);
    }
  }

  /** Closes and removes the temp file; the destination is untouched. Safe to call more than once. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.fh.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}

/** Opens a Parquet file as a source (positioned reads through a file handle kept until closed; each checks the file is unchanged). */
export async function parquetFileSource(file: string, opts: ParquetOptions): Promise<ParquetSource & { files: string[]; close(): Promise<void> }> {
  const size = await fileSize(file);
  const watch = await FileWatch.of([file]);
  const fh = await open(file, 'r');
  const buffer = {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      const out = new Uint8Array(end - start);
      await watch.check();
      await readExact(fh, file, out, end - start, start);
      await watch.check();
      return out.buffer;
    },
  };
  const src = await ParquetSource.open(file, buffer, opts).catch(async (e) => {
    await fh.close();
    throw e;
  });
  return Object.assign(src, { files: [file], close: () => fh.close() });
}
