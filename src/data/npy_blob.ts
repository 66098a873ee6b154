// NPY arrays in Blobs (a browser File) as sources, read in row blocks with slice so a file is never held whole:
// one 2-D array whose columns are the features and the target (named "column 0", "column 1", …), or the CLI's pair
// X.npy (N × D features) with X.y.npy (N targets), whose features are x1…xD and target y as `downhill` names them.
// Values are checked as every reader checks them (finite, within float32). Browser-safe.
import type { HostChunk } from '../core/dataset';
import { DataError } from './csv';
import type { ByteFile } from './http_file';
import { decodeNpyDict, itemSize, npyHeaderEnd, parseNpyDict, type NpyHeader } from './npy_format';
import type { DataSource, ReadOptions } from './source';
import { checkValues } from './values';

const BLOCK_ROWS = 65_536;

/** A one-matrix NPY file's column name. */
export const npyColumn = (i: number): string => `column ${i}`;

/** Reads and checks an NPY header from the start of a file: 2-D with at least two columns, or 1-D with `vector`. */
export async function npyBlobHeader(file: ByteFile, vector = false): Promise<NpyHeader> {
  const prefix = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  const { start, end, version } = npyHeaderEnd(file.name, prefix);
  const dict = decodeNpyDict(new Uint8Array(await file.slice(start, end).arrayBuffer()), version);
  const h = parseNpyDict(file.name, dict, version, end);
  const ok = vector ? h.shape.length === 1 || (h.shape.length === 2 && h.shape[1] === 1) : h.shape.length === 2 && h.shape[1] >= 2;
  if (!ok) {
    const want = vector ? 'a 1-D array of targets' : 'a 2-D array with a target and at least one feature column';
    throw new DataError(file.name, null, null, `expected ${want}, got shape (${h.shape.join(', ')})`);
  }
  const cells = h.shape.reduce((a, b) => a * b, 1);
  if (end + cells * itemSize(h.dtype) > file.size) throw new DataError(file.name, null, null, `the file is shorter than its shape (${h.shape.join(' × ')}) says`);
  return h;
}

/** Rows [start, start + n) of an array of `cols` columns as float32, each value checked. */
async function block(file: ByteFile, h: NpyHeader, cols: number, start: number, n: number, name: (j: number) => string): Promise<Float32Array> {
  const size = itemSize(h.dtype);
  const at = h.dataOffset + start * cols * size;
  const buf = await file.slice(at, at + n * cols * size).arrayBuffer();
  const raw = size === 4 ? new Float32Array(buf) : new Float64Array(buf);
  checkValues(file.name, raw, cols, start, name);
  return raw instanceof Float32Array ? raw : Float32Array.from(raw);
}

/** An NPY source: the features and target columns of one matrix, or X with its y file. */
export class NpyBlobSource implements DataSource {
  readonly features: string[];
  readonly target: string;
  readonly rows: number;
  private readonly cols: number[];

  private constructor(
    private readonly file: ByteFile, private readonly h: NpyHeader, private readonly y: { file: ByteFile; h: NpyHeader } | null,
    private readonly targetCol: number, names: string[], target: string, use: readonly string[] | undefined,
  ) {
    this.rows = h.shape[0];
    this.target = target;
    const all = names.map((n, i) => [n, i] as const).filter(([, i]) => i !== targetCol);
    const picked = use ? use.map((n) => all.find(([m]) => m === n) ?? this.missing(n)) : all;
    this.features = picked.map(([n]) => n);
    this.cols = picked.map(([, i]) => i);
  }

  private missing(n: string): never {
    throw new DataError(this.file.name, null, null, `no feature column ${JSON.stringify(n)}`);
  }

  /** One matrix: `target` names its target column ("column 3", or "3"); `features` picks columns (default: the rest). */
  static async open(file: ByteFile, target: string, features?: readonly string[]): Promise<NpyBlobSource> {
    const h = await npyBlobHeader(file);
    const names = Array.from({ length: h.shape[1] }, (_, i) => npyColumn(i));
    const col = Number(/^column (\d+)$/.exec(target)?.[1] ?? target);
    if (!(Number.isInteger(col) && col >= 0 && col < h.shape[1])) throw new DataError(file.name, null, null, `no column "${target}"; columns are 0..${h.shape[1] - 1}`);
    return new NpyBlobSource(file, h, null, col, names, npyColumn(col), features);
  }

  /** The CLI's pair: X (N × D features x1…xD) and its y file (N targets). */
  static async pair(x: ByteFile, y: ByteFile, features?: readonly string[]): Promise<NpyBlobSource> {
    const h = await npyBlobHeader(x);
    const hy = await npyBlobHeader(y, true);
    if (hy.shape[0] !== h.shape[0]) throw new DataError(y.name, null, null, `holds ${hy.shape[0]} targets for the ${h.shape[0]} rows of ${x.name}`);
    const names = Array.from({ length: h.shape[1] }, (_, j) => `x${j + 1}`);
    return new NpyBlobSource(x, h, { file: y, h: hy }, -1, names, 'y', features);
  }

  get description(): string {
    return this.y ? `${this.file.name} with ${this.y.file.name}` : this.file.name;
  }

  async *read(opts: ReadOptions = {}): AsyncGenerator<HostChunk> {
    const step = Math.max(1, Math.min(opts.maxRows ?? BLOCK_ROWS, BLOCK_ROWS));
    for (let start = 0; start < this.rows; start += step) {
      opts.signal?.throwIfAborted();
      yield await this.readRows(start, Math.min(step, this.rows - start));
    }
  }

  async readRows(start: number, n: number): Promise<HostChunk> {
    const cols = this.h.shape[1];
    const v = await block(this.file, this.h, cols, start, n, (j) => (this.y ? `x${j + 1}` : npyColumn(j)));
    const d = this.cols.length;
    const x = new Float32Array(n * d);
    for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) x[r * d + j] = v[r * cols + this.cols[j]];
    let y: Float32Array;
    if (this.y) y = await block(this.y.file, this.y.h, 1, start, n, () => 'y');
    else y = Float32Array.from({ length: n }, (_, r) => v[r * cols + this.targetCol]);
    return { rows: n, x, y, firstRow: start };
  }
}
