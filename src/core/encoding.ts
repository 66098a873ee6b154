// How text (categorical) columns become the sparse block of a model, recorded in the model file so that predict
// encodes new rows the same way. One-hot: a vocabulary per column (levels by frequency, the first pass's counts),
// index = the column's offset + the level's rank, one more "other" index for rare and unseen levels. Hashing:
// MurmurHash3 x86_32 of the value's UTF-8 bytes seeded with the hash of the column's name (its namespace; Vowpal
// Wabbit's scheme), bucket = low `bits` bits, sign = top bit (scikit-learn's alternate_sign). A cross a:b hashes the
// pair of the two value hashes (Vowpal Wabbit's -q). Layout of the sparse block: the one-hot columns' blocks in
// column order, then 2^bits hash buckets. No DOM, no Node.
import { MAX_WIDTH, NEG } from './csr';
import { murmur3String, murmur3Words } from './murmur3';

/** The hash function's name as the model file states it. */
export const HASH_FUNCTION = 'murmur3_x86_32';
/** The seed of every hash unless a model states another. */
export const HASH_SEED = 0;
/** Values per column whose hash the encoder remembers. */
const MEMO = 1 << 16;
/** Levels a one-hot column may have without --max-levels (more: an error suggesting hashing). */
export const LEVEL_LIMIT = 65536;

/** One categorical column: one-hot with its levels (most frequent first), or hashed. */
export interface CategoricalColumn {
  name: string;
  kind: 'onehot' | 'hash';
  /** One-hot: the levels by rank; index offset + rank, and offset + levels.length for "other". */
  levels?: string[];
  /** One-hot: how many rows each level had in the first pass (same order), for reports. */
  counts?: number[];
}

/** The encoding of a model's sparse block (the model file's `encoding`). */
export interface Encoding {
  /** Where the sparse rows come from: text columns of a table, or svmlight indices. */
  format: 'columns' | 'svmlight';
  categorical: CategoricalColumn[];
  /** Pairs of categorical columns whose values are hashed together. */
  crosses: [string, string][];
  /** The hash of hashed columns and crosses (null when none). */
  hash: { function: typeof HASH_FUNCTION; bits: number; seed: number } | null;
  /** svmlight: the index written for the first feature (1 as scikit-learn's load_svmlight_file, or 0). */
  base?: number;
  /** Width of the sparse block. */
  width: number;
}

/** What a source's sparse block is: its width, how it was encoded, and its mean entries per row (memory budgets). */
export interface SparseSchema {
  readonly width: number;
  readonly encoding: Encoding;
  readonly nnzPerRow: number;
}

/** Where each one-hot column's block starts, and where the hash buckets start. */
export function encodingLayout(e: Pick<Encoding, 'categorical' | 'crosses' | 'hash'>): { offsets: number[]; hashAt: number; width: number } {
  const offsets: number[] = [];
  let at = 0;
  for (const c of e.categorical) {
    offsets.push(c.kind === 'onehot' ? at : -1);
    if (c.kind === 'onehot') at += c.levels!.length + 1;
  }
  const hashAt = at;
  if (e.hash) at += 2 ** e.hash.bits;
  return { offsets, hashAt, width: at };
}

/** A column encoding's width, checked: the sparse block must stay addressable by 31-bit indices. */
export function encodingWidth(e: Pick<Encoding, 'categorical' | 'crosses' | 'hash'>): number {
  const w = encodingLayout(e).width;
  if (w >= MAX_WIDTH) throw new Error(`the sparse block would have ${w} columns; at most ${MAX_WIDTH - 1} fit (fewer levels or --hash-bits)`);
  return w;
}

/** The name of sparse column j, for coefficient tables ("origin=SFO", "origin=(other)", "hash[123]"). */
export function sparseColumnName(e: Encoding, j: number): string {
  if (e.format === 'svmlight') return `f${j + (e.base ?? 1)}`;
  const { offsets, hashAt } = encodingLayout(e);
  for (let c = 0; c < e.categorical.length; c++) {
    const col = e.categorical[c];
    if (col.kind !== 'onehot' || j < offsets[c] || j > offsets[c] + col.levels!.length) continue;
    const k = j - offsets[c];
    return `${col.name}=${k < col.levels!.length ? col.levels![k] : '(other)'}`;
  }
  return `hash[${j - hashAt}]`;
}

/** Turns the categorical cells of a row into sparse indices (sign in bit 31): the one encoder of every reader. */
export class RowEncoder {
  private readonly offsets: number[];
  private readonly hashAt: number;
  private readonly mask: number;
  private readonly seeds: number[];
  private readonly levels: (Map<string, number> | null)[];
  private readonly crosses: [number, number][];
  /** Whether a column's value hash is needed (hashed, or in a cross). */
  private readonly hashed: boolean[];
  private readonly h: Uint32Array;
  private readonly memo: Map<string, number>[];
  readonly width: number;
  /** Entries one row adds: one per categorical column and one per cross. */
  readonly perRow: number;

  constructor(readonly encoding: Encoding) {
    const { offsets, hashAt, width } = encodingLayout(encoding);
    this.offsets = offsets;
    this.hashAt = hashAt;
    this.width = width;
    const seed = encoding.hash?.seed ?? HASH_SEED;
    this.mask = encoding.hash ? 2 ** encoding.hash.bits - 1 : 0;
    const cols = encoding.categorical;
    this.seeds = cols.map((c) => murmur3String(c.name, seed));
    this.levels = cols.map((c) => (c.kind === 'onehot' ? new Map(c.levels!.map((l, k) => [l, k])) : null));
    const at = new Map(cols.map((c, i) => [c.name, i]));
    this.crosses = encoding.crosses.map(([a, b]) => [at.get(a)!, at.get(b)!]);
    this.hashed = cols.map((c, i) => c.kind === 'hash' || this.crosses.some(([a, b]) => a === i || b === i));
    this.h = new Uint32Array(cols.length);
    this.memo = cols.map(() => new Map());
    this.perRow = cols.length + this.crosses.length;
  }

  /** The hash of column c's value v (remembered for the most frequent values: levels repeat, hashing is not free). */
  private hashOf(c: number, v: string): number {
    const memo = this.memo[c];
    let h = memo.get(v);
    if (h === undefined) {
      h = murmur3String(v, this.seeds[c]);
      if (memo.size < MEMO) memo.set(v, h);
    }
    return h;
  }

  /** A bucket index with its sign bit from a 32-bit hash. */
  private bucket(h: number): number {
    return ((this.hashAt + (h & this.mask)) | (h & NEG)) >>> 0;
  }

  /** Writes the row's indices for `cells` (one per categorical column, in order) at out[at…]; returns the count. */
  encode(cells: readonly string[], out: Uint32Array, at: number): number {
    const n = cells.length;
    let k = at;
    for (let c = 0; c < n; c++) {
      const v = cells[c];
      if (this.hashed[c]) this.h[c] = this.hashOf(c, v);
      const lv = this.levels[c];
      if (lv) {
        const rank = lv.get(v);
        out[k++] = this.offsets[c] + (rank ?? lv.size);
      } else {
        out[k++] = this.bucket(this.h[c]);
      }
    }
    for (const [a, b] of this.crosses) out[k++] = this.bucket(murmur3Words(this.h[a], this.h[b], this.encoding.hash!.seed));
    return k - at;
  }
}

/** Options of a vocabulary: rarer levels than minCount go to "other"; at most maxLevels levels (0: LEVEL_LIMIT, an error beyond). */
export interface VocabularyOptions {
  minCount: number;
  maxLevels: number;
}

/** A column's levels from its counts (Map in first-appearance order): by count, ties in order of first appearance. */
export function vocabulary(name: string, counts: Map<string, number>, o: VocabularyOptions): { levels: string[]; counts: number[] } {
  const kept = [...counts].filter(([, n]) => n >= o.minCount).sort((a, b) => b[1] - a[1]);
  if (o.maxLevels === 0 && kept.length > LEVEL_LIMIT) {
    throw new Error(`column "${name}" has ${kept.length} levels, more than one-hot encodes without --max-levels (${LEVEL_LIMIT}): ` +
      `hash it instead (--hashed ${name}, or --encoding hash for every text column), or keep the most frequent with --max-levels N`);
  }
  const top = o.maxLevels > 0 ? kept.slice(0, o.maxLevels) : kept;
  return { levels: top.map(([l]) => l), counts: top.map(([, n]) => n) };
}

/** Checks an encoding record read from a file; returns it typed, or throws naming the field. */
export function checkEncoding(o: unknown, features: readonly string[]): Encoding {
  const fail = (why: string): never => {
    throw new Error(`field "encoding" ${why}`);
  };
  if (typeof o !== 'object' || o === null) return fail('must be an object');
  const e = o as Record<string, unknown>;
  if (e.format !== 'columns' && e.format !== 'svmlight') fail('format must be "columns" or "svmlight"');
  const cols = e.categorical;
  if (!Array.isArray(cols)) return fail('categorical must be a list');
  const names = new Set(features);
  for (const c of cols as Record<string, unknown>[]) {
    if (typeof c?.name !== 'string' || names.has(c.name)) fail('categorical names must be strings, distinct from the features');
    names.add(c.name as string);
    if (c.kind !== 'onehot' && c.kind !== 'hash') fail(`categorical "${String(c.name)}": kind must be "onehot" or "hash"`);
    if (c.kind === 'onehot' && !(Array.isArray(c.levels) && c.levels.every((l) => typeof l === 'string') && new Set(c.levels).size === c.levels.length)) {
      fail(`categorical "${String(c.name)}": levels must be distinct strings`);
    }
  }
  const crosses = e.crosses;
  if (!Array.isArray(crosses) || !crosses.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => names.has(n) && !features.includes(n)))) {
    fail('crosses must be pairs of categorical column names');
  }
  const hash = e.hash as Record<string, unknown> | null;
  const needHash = (cols as CategoricalColumn[]).some((c) => c.kind === 'hash') || (crosses as unknown[]).length > 0;
  if (needHash && (typeof hash !== 'object' || hash === null)) fail('hash is needed for hashed columns and crosses');
  if (hash) {
    if (hash.function !== HASH_FUNCTION) fail(`hash.function must be "${HASH_FUNCTION}"`);
    if (!(Number.isInteger(hash.bits) && (hash.bits as number) >= 1 && (hash.bits as number) <= 30)) fail('hash.bits must be an integer from 1 to 30');
    if (!(Number.isInteger(hash.seed) && (hash.seed as number) >= 0 && (hash.seed as number) < 2 ** 32)) fail('hash.seed must be a 32-bit unsigned integer');
  }
  const typed = e as unknown as Encoding;
  const width = typed.format === 'svmlight' ? typed.width : encodingWidth(typed);
  if (!(Number.isInteger(e.width) && e.width === width && width >= 1)) fail(`width must be ${width} for these columns`);
  if (typed.format === 'svmlight' && !(e.base === 0 || e.base === 1)) fail('base must be 0 or 1');
  return typed;
}
