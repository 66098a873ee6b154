// Node file plumbing for the data layer: the CSV and Parquet sources over files and exact positioned reads (atomic
// output is in atomic.ts). Kept apart so the browser bundle (csv_stream.ts, blob_source.ts) never imports node:fs.
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { BLOCK_BYTES } from './blocks';
import { DataError } from './csv';
import { csvPartPass, csvSourceFromStream, type CsvSource, type CsvStreamOptions } from './csv_stream';
import type { DataSource } from './source';
import { FileWatch, watched } from './fingerprint';
import type { ParquetOptions, ParquetSource } from './parquet';
import type { EncodedParquetOptions, EncodedParquetSource } from './parquet_encoded';
import { encodedCsvSourceFromStream, textColumnsIn, type EncodedCsvOptions, type EncodedCsvSource } from './csv_encoded';
import { looksLikeSvmlight, svmlightSourceFromStream, type SvmlightOptions, type SvmlightSource } from './svmlight';

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
export async function csvSource(file: string, opts: CsvStreamOptions): Promise<CsvSource & { files: string[]; part(part: number, parts: number): DataSource }> {
  await fileSize(file);
  const watch = await FileWatch.of([file]);
  const src = await csvSourceFromStream(file, () => watched(watch, () => createReadStream(file, { highWaterMark: BLOCK_BYTES })), opts);
  const cuts = new Map<number, Promise<number[]>>();
  const part = (k: number, parts: number): DataSource => ({
    description: `${file} (part ${k + 1} of ${parts})`, features: src.features, target: src.target, rows: null, files: [file],
    get targetLabels() {
      return src.targetLabels;
    },
    async *read(o = {}) {
      if (!cuts.has(parts)) cuts.set(parts, lineCuts(file, parts));
      const c = await cuts.get(parts)!;
      if (c[k] >= c[k + 1]) return;
      // Messages name the byte range; lines count from its start.
      const plan = { ...src.plan, file: `${file} bytes ${c[k]}…${c[k + 1]}` };
      yield* csvPartPass(plan, () => watched(watch, () => createReadStream(file, { start: c[k], end: c[k + 1] - 1, highWaterMark: BLOCK_BYTES })), o);
    },
  });
  return Object.assign(src, { files: [file], part });
}

/**
 * Where `parts` byte ranges of a CSV's data lines start: the header's end, then each 1/parts of the rest moved on
 * to the next line start, then the file's end. A quoted field holding a line break must not straddle a cut.
 */
async function lineCuts(file: string, parts: number): Promise<number[]> {
  const size = await fileSize(file);
  const fh = await open(file, 'r');
  try {
    const lineStart = async (at: number): Promise<number> => {
      const buf = new Uint8Array(1 << 16);
      for (let pos = Math.max(0, at - 1); pos < size; pos += buf.length) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        const nl = buf.subarray(0, bytesRead).indexOf(10);
        if (nl >= 0) return pos + nl + 1;
      }
      return size;
    };
    const header = await lineStart(1); // just after the header's line feed
    const cuts = [header];
    for (let k = 1; k < parts; k++) cuts.push(Math.max(cuts[k - 1], await lineStart(header + Math.floor((k * (size - header)) / parts))));
    cuts.push(size);
    return cuts;
  } finally {
    await fh.close();
  }
}

/** Opens a CSV with text (categorical) columns as a source with a sparse block (its first pass finds the levels). */
export async function encodedCsvSource(file: string, opts: EncodedCsvOptions): Promise<EncodedCsvSource & { files: string[] }> {
  await fileSize(file);
  const watch = await FileWatch.of([file]);
  const src = await encodedCsvSourceFromStream(file, () => watched(watch, () => createReadStream(file, { highWaterMark: BLOCK_BYTES })), opts);
  return Object.assign(src, { files: [file] });
}

/** The feature columns of a CSV file holding text in its first lines (the numeric reader would stop at them). */
export async function csvTextColumns(file: string, opts: CsvStreamOptions): Promise<string[]> {
  await fileSize(file);
  return textColumnsIn(file, () => createReadStream(file, { highWaterMark: 1 << 16 }), opts);
}

/** Whether a file's first bytes look like svmlight text (for files without a telling extension). */
export async function looksLikeSvmlightFile(file: string): Promise<boolean> {
  await fileSize(file);
  const fh = await open(file, 'r');
  try {
    const b = new Uint8Array(4096);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    return looksLikeSvmlight(new TextDecoder().decode(b.subarray(0, bytesRead)));
  } finally {
    await fh.close();
  }
}

/** Opens an svmlight/libsvm file as a source (its first pass checks every line); each pass checks the file is unchanged. */
export async function svmlightFileSource(file: string, opts: SvmlightOptions = {}): Promise<SvmlightSource & { files: string[] }> {
  await fileSize(file);
  const watch = await FileWatch.of([file]);
  const src = await svmlightSourceFromStream(file, () => watched(watch, () => createReadStream(file, { highWaterMark: BLOCK_BYTES })), opts);
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

/** A Parquet file as hyparquet reads it: positioned reads through a handle (closed by the caller), each checking the file is unchanged. */
async function parquetBuffer(file: string) {
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
  return { buffer, close: () => fh.close() };
}

/** Opens a Parquet file as a source (positioned reads through a file handle kept until closed; each checks the file is unchanged). */
export async function parquetFileSource(file: string, opts: ParquetOptions): Promise<ParquetSource & { files: string[]; close(): Promise<void> }> {
  // The Parquet readers (hyparquet and its codecs) load when a Parquet file is opened.
  const { ParquetSource } = await import('./parquet');
  const { buffer, close } = await parquetBuffer(file);
  const src = await ParquetSource.open(file, buffer, opts).catch(async (e) => {
    await close();
    throw e;
  });
  return Object.assign(src, { files: [file], close });
}

/** Opens a Parquet file with text (categorical) columns as a source with a sparse block (encoded_parquet.ts). */
export async function encodedParquetFileSource(file: string, opts: EncodedParquetOptions): Promise<EncodedParquetSource & { files: string[]; close(): Promise<void> }> {
  const { encodedParquetSource } = await import('./parquet_encoded');
  const { buffer, close } = await parquetBuffer(file);
  const src = await encodedParquetSource(file, buffer, opts).catch(async (e) => {
    await close();
    throw e;
  });
  return Object.assign(src, { files: [file], close });
}

/** The string columns of a Parquet file among its features (they make the file one for the encoded reader). */
export async function parquetFileTextColumns(file: string, target: string, features?: readonly string[]): Promise<string[]> {
  const { parquetTextColumns } = await import('./parquet_encoded');
  const { buffer, close } = await parquetBuffer(file);
  try {
    return await parquetTextColumns(buffer, target, features);
  } catch {
    return [];
  } finally {
    await close();
  }
}
