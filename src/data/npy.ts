// .npy files as data sources — X (N, D) and y (N,) or (N, 1) in two files, or one matrix (N, D + 1) with a
// target column — read with positioned reads (float64 is converted to float32), and a streaming .npy writer
// that appends rows and writes the final shape into the header when it closes. Node only (node:fs).
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { HostChunk } from '../core/dataset';
import { blockedPass, checkRange } from './blocks';
import { FileWatch } from './fingerprint';
import { DataError } from './csv';
import { AtomicFile } from './atomic';
import { fileSize, readExact } from './node_files';
import { decodeNpyDict, encodeNpyHeader, itemSize, npyHeaderEnd, NPY_PREFIX_BYTES, parseNpyDict, type NpyHeader } from './npy_format';
import type { DataSource, ReadOptions } from './source';
import { checkValues } from './values';

/** An .npy file whose header has been read and checked against its size. */
export interface NpyFile extends NpyHeader {
  file: string;
}

const shapeText = (shape: readonly number[]) => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`);

/** Reads and checks the header of an .npy file: magic, version, dtype, C order, and the data size. */
export async function readNpyHeader(file: string): Promise<NpyFile> {
  const size = await fileSize(file);
  const fh = await open(file, 'r');
  try {
    const prefix = new Uint8Array(Math.min(size, NPY_PREFIX_BYTES));
    await readExact(fh, file, prefix, prefix.length, 0);
    const { start, end, version } = npyHeaderEnd(file, prefix);
    if (end > size) throw new DataError(file, null, null, `truncated: the header needs ${end} bytes, file has ${size}`);
    const dict = new Uint8Array(end - start);
    await readExact(fh, file, dict, dict.length, start);
    const h = parseNpyDict(file, decodeNpyDict(dict, version), version, end);
    const expected = h.shape.reduce((a, b) => a * b, 1) * itemSize(h.dtype);
    const has = size - end;
    if (has !== expected) {
      const what = has < expected ? 'truncated' : 'trailing bytes';
      throw new DataError(file, null, null, `${what}: expected ${expected} bytes of data for shape ${shapeText(h.shape)} of '${h.dtype}', file has ${has}`);
    }
    return { ...h, file };
  } finally {
    await fh.close();
  }
}

/**
 * Reads rows [start, start + count) of a 1-D or 2-D array as float32 (count × columns values) into `out` — float32 files
 * straight into it, float64 through a buffer; a value that is not finite or (float64) beyond the float32 range is an
 * error naming its row and column (`columnName(j)`). `allFinite`: the destination's own test of float32 values
 * (HostChunk.allFinite), used for a float32 file read straight into it.
 */
async function readNpyInto(
  fh: FileHandle, a: NpyFile, start: number, count: number, out: Float32Array, columnName: (j: number) => string, allFinite?: (v: Float32Array) => boolean,
): Promise<void> {
  const cols = a.shape[1] ?? 1;
  const n = count * cols;
  const size = itemSize(a.dtype);
  const bytes = a.dtype === '<f4' ? new Uint8Array(out.buffer, out.byteOffset, n * size) : new Uint8Array(n * size);
  await readExact(fh, a.file, bytes, bytes.length, a.dataOffset + start * cols * size);
  const raw = a.dtype === '<f4' ? out.subarray(0, n) : new Float64Array(bytes.buffer, 0, n);
  checkValues(a.file, raw, cols, start, columnName, a.dtype === '<f4' ? allFinite : undefined);
  if (a.dtype !== '<f4') out.set(raw);
}

/** readNpyInto a new array. */
async function readNpyRows(fh: FileHandle, a: NpyFile, start: number, count: number, columnName: (j: number) => string): Promise<Float32Array> {
  const out = new Float32Array(count * (a.shape[1] ?? 1));
  await readNpyInto(fh, a, start, count, out, columnName);
  return out;
}

/** Where the features and the target come from. */
export interface NpySourceOptions {
  /** X of shape (N, D); or, without `y`, the whole matrix (N, D + 1) holding the target at `targetColumn`. */
  x: string;
  /** y of shape (N,) or (N, 1). */
  y?: string;
  /** 0-based column of the target in the one-matrix form (negative counts from the end: −1 is the last). */
  targetColumn?: number;
  /** Feature names (default x1..xD) and target name (default "y"). */
  features?: string[];
  target?: string;
  /** X alone, without targets (predictions): y is zeros and hasTarget false. */
  noTarget?: boolean;
}

/** An .npy dataset: rows known up front, sequential passes and random access by row. */
export class NpySource implements DataSource {
  readonly features: readonly string[];
  readonly rows: number;
  private handles: FileHandle[] | null = null;

  readonly files: readonly string[];
  /** One pass over the targets alone, when they have a file of their own (y.npy). */
  readonly readTargets?: (opts?: ReadOptions) => AsyncIterable<HostChunk>;
  /** DataSource.readFeaturesSync: X of float32 values in a file of its own. */
  readonly readFeaturesSync?: (start: number, count: number, into: HostChunk) => boolean;

  private constructor(
    readonly description: string, readonly target: string, private readonly arrays: NpyFile[],
    private readonly targetColumn: number | null, features: string[], private readonly watch: FileWatch,
  ) {
    this.files = arrays.map((a) => a.file);
    this.rows = arrays[0].shape[0];
    this.features = features;
    const y = arrays[1];
    if (y) this.readTargets = (opts) => this.targetPass(y, opts);
    if (targetColumn === null && arrays[0].dtype === '<f4') this.readFeaturesSync = (start, count, into) => this.featuresSync(start, count, into);
  }

  /** Opens the files named in `o` and checks their shapes against each other. */
  static async open(o: NpySourceOptions): Promise<NpySource> {
    const watch = await FileWatch.of(o.y !== undefined ? [o.x, o.y] : [o.x]);
    const x = await readNpyHeader(o.x);
    if (x.shape.length !== 2 || x.shape[1] < 1) throw new DataError(o.x, null, null, `expected a 2-D array (N, D), got shape ${shapeText(x.shape)}`);
    const [n, cols] = x.shape;
    let arrays = [x];
    let t: number | null = null;
    if (o.y !== undefined) {
      const y = await readNpyHeader(o.y);
      const ok = y.shape[0] === n && (y.shape.length === 1 || (y.shape.length === 2 && y.shape[1] === 1));
      if (!ok) throw new DataError(o.y, null, null, `expected y of shape (${n},) or (${n}, 1) to match X ${shapeText(x.shape)}, got ${shapeText(y.shape)}`);
      arrays = [x, y];
    } else if (!o.noTarget) {
      const tc = o.targetColumn ?? -1;
      t = tc < 0 ? cols + tc : tc;
      if (!Number.isInteger(t) || t < 0 || t >= cols || cols < 2) {
        throw new DataError(o.x, null, String(tc), `the target column must be an index into ${cols} columns, leaving at least one feature`);
      }
    }
    const d = t === null ? cols : cols - 1;
    const features = o.features ?? Array.from({ length: d }, (_, j) => `x${j + 1}`);
    if (features.length !== d) throw new DataError(o.x, null, null, `${features.length} feature names given for ${d} features`);
    const desc = o.y !== undefined ? `${o.x} + ${o.y}` : o.x;
    return new NpySource(desc, o.target ?? 'y', arrays, t, features, watch);
  }

  /** Whether the files hold targets (not when X was opened alone for predictions). */
  get hasTarget(): boolean {
    return this.targetColumn !== null || this.arrays.length > 1;
  }

  /** Rows [start, start + count), checking before and after that no file changed since it was opened. */
  private async rowsFrom(fhs: FileHandle[], start: number, count: number): Promise<HostChunk> {
    await this.watch.check();
    const chunk = await this.decode(fhs, start, count);
    await this.watch.check();
    return chunk;
  }

  private async decode(fhs: FileHandle[], start: number, count: number): Promise<HostChunk> {
    const d = this.features.length;
    const t = this.targetColumn;
    if (t === null && this.arrays.length === 1) {
      return { rows: count, x: await readNpyRows(fhs[0], this.arrays[0], start, count, (j) => this.features[j]), y: new Float32Array(count), firstRow: start };
    }
    if (t === null) {
      const [x, y] = await Promise.all([
        readNpyRows(fhs[0], this.arrays[0], start, count, (j) => this.features[j]), readNpyRows(fhs[1], this.arrays[1], start, count, () => this.target),
      ]);
      return { rows: count, x, y, firstRow: start };
    }
    const m = await readNpyRows(fhs[0], this.arrays[0], start, count, (j) => (j === t ? this.target : this.features[j < t ? j : j - 1]));
    const x = new Float32Array(count * d);
    const y = new Float32Array(count);
    for (let r = 0, i = 0, o = 0; r < count; r++) {
      for (let j = 0; j <= d; j++, i++) {
        if (j === t) y[r] = m[i];
        else x[o++] = m[i];
      }
    }
    return { rows: count, x, y, firstRow: start };
  }

  private openAll(): Promise<FileHandle[]> {
    return Promise.all(this.arrays.map((a) => open(a.file, 'r')));
  }

  /** One pass over every row in order, reading ≥ 8 MiB at a time. */
  async *read(opts: ReadOptions = {}): AsyncGenerator<HostChunk> {
    const fhs = await this.openAll();
    try {
      const rowBytes = this.arrays.reduce((s, a) => s + (a.shape[1] ?? 1) * itemSize(a.dtype), 0);
      yield* blockedPass(this.rows, this.features.length, rowBytes, opts, (s, c) => this.rowsFrom(fhs, s, c));
    } finally {
      await Promise.all(fhs.map((f) => f.close()));
    }
  }

  /** Rows [start, start + count) by positioned reads (the files stay open until close()). */
  async readRows(start: number, count: number): Promise<HostChunk> {
    checkRange(start, count, this.rows);
    this.handles ??= await this.openAll();
    return this.rowsFrom(this.handles, start, count);
  }

  /** Rows [start, start + count) read straight into `into` (X and y in two files; one matrix goes through a buffer). */
  async readRowsInto(start: number, count: number, into: HostChunk, featuresOnly = false): Promise<void> {
    checkRange(start, count, this.rows);
    this.handles ??= await this.openAll();
    const fhs = this.handles;
    const d = this.features.length;
    await this.watch.check();
    if (this.targetColumn === null) {
      const y = this.arrays[1];
      await Promise.all([
        readNpyInto(fhs[0], this.arrays[0], start, count, into.x.subarray(0, count * d), (j) => this.features[j], into.allFinite),
        featuresOnly ? null : y ? readNpyInto(fhs[1], y, start, count, into.y.subarray(0, count), () => this.target) : into.y.fill(0, 0, count),
      ]);
    } else {
      const c = await this.decode(fhs, start, count);
      into.x.set(c.x);
      if (!featuresOnly) into.y.set(c.y);
    }
    await this.watch.check();
  }

  /** X's rows [start, start + count) into `into.x` by blocking positioned reads, once the files are open (false before). */
  private featuresSync(start: number, count: number, into: HostChunk): boolean {
    checkRange(start, count, this.rows);
    if (!this.handles) return false;
    const a = this.arrays[0];
    const d = this.features.length;
    const out = into.x.subarray(0, count * d);
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    const at = a.dataOffset + start * d * 4;
    for (let got = 0, n = 1; got < bytes.length; got += n) {
      n = readSync(this.handles[0].fd, bytes, got, bytes.length - got, at + got);
      if (n === 0) throw new DataError(a.file, null, null, `unexpected end of file: expected ${bytes.length} bytes at offset ${at}, got ${got}`);
    }
    checkValues(a.file, out, d, start, (j) => this.features[j], into.allFinite);
    this.watch.checkSync();
    return true;
  }

  /** One pass over the targets alone (x empty), reading y.npy only. */
  private async *targetPass(y: NpyFile, opts: ReadOptions = {}): AsyncGenerator<HostChunk> {
    const fh = await open(y.file, 'r');
    const empty = new Float32Array(0);
    const read = async (start: number, count: number): Promise<HostChunk> => {
      await this.watch.check();
      const out = await readNpyRows(fh, y, start, count, () => this.target);
      await this.watch.check();
      return { rows: count, x: empty, y: out, firstRow: start };
    };
    try {
      yield* blockedPass(this.rows, 0, itemSize(y.dtype), { ...opts, maxRows: opts.maxRows ?? this.rows }, read);
    } finally {
      await fh.close();
    }
  }

  /** Closes the files opened by readRows. */
  async close(): Promise<void> {
    const h = this.handles;
    this.handles = null;
    if (h) await Promise.all(h.map((f) => f.close()));
  }
}

/** The y file written next to X (data.npy → data.y.npy), where `gen` puts it and `convert` looks. */
export function npyTargetPath(x: string): string {
  return x.replace(/\.npy$/i, '') + '.y.npy';
}

/** Opens an .npy dataset (see NpySourceOptions). */
export function npySource(o: NpySourceOptions): Promise<NpySource> {
  return NpySource.open(o);
}

/** Writes a float32 .npy file row block by row block, atomically; the header gets the final shape on close. */
export class NpyWriter {
  private rows = 0;
  private static readonly HEADER_BYTES = 128;

  private constructor(readonly out: AtomicFile, private readonly cols: number | null) {}

  /** Starts a file of rows with `cols` columns (shape (N, cols)), or a 1-D array (N,) when cols is null. */
  static async create(path: string, cols: number | null): Promise<NpyWriter> {
    const out = await AtomicFile.create(path);
    await out.write(new Uint8Array(NpyWriter.HEADER_BYTES).fill(0x20));
    return new NpyWriter(out, cols);
  }

  /** Appends whole rows (values.length must be a multiple of the column count). */
  async append(values: Float32Array): Promise<void> {
    const cols = this.cols ?? 1;
    if (values.length % cols !== 0) throw new Error(`${this.out.path}: ${values.length} values is not a whole number of ${cols}-column rows`);
    try {
      await this.out.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    } catch (e) {
      await this.out.abort();
      throw e;
    }
    this.rows += values.length / cols;
  }

  /** Writes the header with the final shape and renames the file into place. */
  async close(): Promise<void> {
    await this.finish();
    await this.out.commit();
  }

  /** Writes the header with the final shape, leaving the rename to the caller (`out.commit()` or commitAll). */
  async finish(): Promise<AtomicFile> {
    const shape = this.cols === null ? [this.rows] : [this.rows, this.cols];
    try {
      const header = encodeNpyHeader('<f4', shape, NpyWriter.HEADER_BYTES);
      if (header.length !== NpyWriter.HEADER_BYTES) throw new Error(`${this.out.path}: the header for shape (${shape}) does not fit`);
      await this.out.write(header, 0);
    } catch (e) {
      await this.out.abort();
      throw e;
    }
    return this.out;
  }

  /** Discards the file. */
  abort(): Promise<void> {
    return this.out.abort();
  }
}
