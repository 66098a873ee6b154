// A CSV with text (categorical) columns as a source of dense numeric columns plus a sparse block. The first pass
// finds which columns hold text (named in a note, never dropped), counts each categorical column's levels and builds
// the encoding (core/encoding.ts): one-hot vocabularies ordered by frequency, hashed columns, crosses. Later passes
// encode each row with the one RowEncoder. With a model's encoding (`fixed`) there is no first pass: unseen levels go
// to "other" or their bucket, and a missing categorical column is an error. The numeric part of a row follows the
// plan's rules (csv_plan.ts): "column=level" indicator features, blank cells skipped (counted) or filled, decimal
// commas — what the web page's tables use beside hashed columns. No Node imports.
import { CsrBuilder } from '../core/csr';
import type { HostChunk } from '../core/dataset';
import { encodingWidth, RowEncoder, vocabulary, type CategoricalColumn, type Encoding, type SparseSchema } from '../core/encoding';
import { columnList, crossPairs, type EncodingParams } from '../core/encoding_options';
import { OptionError } from '../core/options';
import { chunkRows } from './blocks';
import { DataError, nameList, quoteValue } from './csv';
import { dataLines, isText, numberCell, targetCell } from './csv_lines';
import { lineTarget, makePlan, skips, slotValue, type CsvPlan, type CsvStreamOptions } from './csv_plan';
import { readHeaderLine, type ByteStream } from './csv_stream';
import type { DataSource, ReadOptions } from './source';

/** Distinct levels counted per column at most (a hashed column's count beyond this is reported as "more than"). */
const DISTINCT_CAP = 100_000;

/** How to read a CSV with text columns. */
export type EncodedCsvOptions = Omit<CsvStreamOptions, 'skipBadRows'> & Partial<EncodingParams> & {
  /** A model's columns and encoding: no first pass; its numeric features and categorical columns must be in the file. */
  fixed?: { features: readonly string[]; encoding: Encoding };
};

/** What the first pass found about a categorical column. */
export interface ColumnReport {
  name: string;
  kind: 'onehot' | 'hash';
  /** Distinct values seen (capped: `more` when there were more). */
  levels: number;
  more: boolean;
  /** Whether it was found to hold text (not named as categorical). */
  detected: boolean;
}

const HASH = { function: 'murmur3_x86_32' as const, seed: 0 };

/** The first pass: text detection (repeated when a column turns out to hold text late), level counts, rows. */
async function firstPass(plan: CsvPlan, open: () => ByteStream, kinds: (CategoricalColumn['kind'] | null)[], signal?: AbortSignal) {
  const counts = kinds.map((k) => (k ? new Map<string, number>() : null));
  const cells = kinds.map(() => new TextCount());
  let rows = 0;
  for await (const [fields, line] of dataLines(plan, open, signal)) {
    for (let k = 0; k < kinds.length; k++) {
      const cell = fields[plan.featureCols[k]];
      const m = counts[k];
      if (m) {
        const v = cell.trim();
        const n = m.get(v);
        if (n !== undefined) m.set(v, n + 1);
        else if (m.size < DISTINCT_CAP || kinds[k] === 'onehot') m.set(v, 1);
      } else if (cells[k].add(cell, line) === 'number') cells[k].number(plan, fields, plan.featureCols[k], line);
    }
    targetCell(plan, fields, line);
    rows++;
  }
  const found = new Map<number, [line: number, value: string]>();
  cells.forEach((c, k) => {
    if (counts[k]) return;
    if (c.isText()) found.set(k, c.firstText!);
    else c.check(plan, k);
  });
  return { counts, rows, found: found.size ? found : null };
}

/**
 * The cells of a column not known to be categorical: it holds text when its text cells are at least two and
 * outnumber its numbers; otherwise a text cell or a blank one is the numeric reader's error (a typo is not a level).
 */
class TextCount {
  text = 0;
  numbers = 0;
  firstText: [line: number, value: string] | null = null;
  firstBlank: number | null = null;
  /** The first cell that reads as a number out of float32's range ("34e38141", a hex level): an error only if the column is numeric. */
  badNumber: [line: number, error: unknown] | null = null;

  add(cell: string, line: number): 'text' | 'blank' | 'number' {
    const s = cell.trim();
    if (s === '') {
      this.firstBlank ??= line;
      return 'blank';
    }
    if (isText(s)) {
      this.text++;
      this.firstText ??= [line, s];
      return 'text';
    }
    this.numbers++;
    return 'number';
  }

  /** Checks a number cell, keeping its error until the column's verdict. */
  number(plan: CsvPlan, fields: string[], col: number, line: number): void {
    if (this.badNumber) return;
    try {
      numberCell(plan, fields, col, line);
    } catch (e) {
      this.badNumber = [line, e];
    }
  }

  isText(): boolean {
    return this.text >= 2 && this.text > this.numbers;
  }

  /** Throws the numeric reader's error for the first cell that is not a number (column k of the plan's features). */
  check(plan: CsvPlan, k: number): void {
    const col = plan.featureCols[k];
    const fields = (v: string) => Object.assign(new Array<string>(plan.header.length).fill(''), { [col]: v });
    const hint = ' (most of the column is numbers; name it in --categorical to read it as categories)';
    const lines = [this.firstText?.[0] ?? Infinity, this.firstBlank ?? Infinity];
    if (this.badNumber && this.badNumber[0] < Math.min(lines[0], lines[1])) throw this.badNumber[1];
    if (lines[0] < lines[1]) numberCell(plan, fields(this.firstText![1]), col, lines[0], hint);
    if (lines[1] < Infinity) numberCell(plan, fields(''), col, lines[1]);
    if (this.badNumber) throw this.badNumber[1];
  }
}

/** The encoding the options and the first pass's counts give (kinds and counts by feature, in file order). */
export function encodingOf(file: string, names: readonly string[], kinds: readonly (CategoricalColumn['kind'] | null)[],
  counts: readonly (Map<string, number> | null)[], o: Partial<EncodingParams>): Encoding {
  const categorical: CategoricalColumn[] = [];
  kinds.forEach((kind, k) => {
    if (!kind) return;
    const name = names[k];
    if (kind === 'hash') return void categorical.push({ name, kind });
    const v = vocabulary(name, counts[k]!, { minCount: o.minCount ?? 1, maxLevels: o.maxLevels ?? 0 });
    categorical.push({ name, kind, levels: v.levels, counts: v.counts });
  });
  const crosses = crossPairs(o.cross ?? '');
  for (const pair of crosses) {
    for (const c of pair) {
      if (!categorical.some((x) => x.name === c)) {
        throw new OptionError('cross', `--cross ${pair.join(':')}: ${quoteValue(c)} is not a categorical column of ${file} ` +
          `(categorical: ${categorical.length ? nameList(categorical.map((x) => x.name)) : 'none'}); name it in --categorical`);
      }
    }
  }
  const hashing = categorical.some((c) => c.kind === 'hash') || crosses.length > 0;
  const e: Encoding = { format: 'columns', categorical, crosses, hash: hashing ? { ...HASH, bits: o.hashBits ?? 18 } : null, width: 0 };
  e.width = encodingWidth(e);
  return e;
}

/** The kinds of features from the options: named categorical or hashed columns, or a model's encoding. */
export function namedKinds(file: string, names: readonly string[], o: Partial<EncodingParams> & { fixed?: { encoding: Encoding } }): (CategoricalColumn['kind'] | null)[] {
  const kinds: (CategoricalColumn['kind'] | null)[] = names.map(() => null);
  const mark = (list: string[], kind: CategoricalColumn['kind'], flag: string) => {
    for (const n of list) {
      const k = names.indexOf(n);
      if (k < 0) throw new OptionError(flag, `--${flag} names ${quoteValue(n)}, which is not a feature column of ${file} (feature columns: ${nameList(names)})`);
      kinds[k] = kind;
    }
  };
  if (o.fixed) {
    for (const c of o.fixed.encoding.categorical) kinds[names.indexOf(c.name)] = c.kind;
    return kinds;
  }
  mark(columnList(o.categorical ?? ''), o.encoding ?? 'onehot', 'categorical');
  mark(columnList(o.hashed ?? ''), 'hash', 'hashed');
  return kinds;
}

/** The note for a column found to hold text. */
export function textNote(file: string, name: string, value: string, where: string, kind: CategoricalColumn['kind']): string {
  return `${file}: column ${quoteValue(name)} holds text (${quoteValue(value)}${where}): read as categorical (${kind === 'hash' ? 'hashed' : 'one-hot'}); ` +
    `say so with --categorical ${name}, or --hashed ${name} for many levels`;
}

/** A CSV with categorical columns as a DataSource with a sparse block (open with encodedCsvSourceFromStream). */
export class EncodedCsvSource implements DataSource {
  readonly features: readonly string[];
  readonly target: string;
  readonly sparse: SparseSchema;
  private counted: number | null;
  private skips = 0;
  private readonly encoder: RowEncoder;
  /** Positions in the plan's features of the numeric columns and of the categorical ones (encoding order). */
  private readonly numeric: number[];
  private readonly cats: number[];

  constructor(readonly description: string, readonly plan: CsvPlan, private readonly open: () => ByteStream, readonly encoding: Encoding,
    rows: number | null, readonly notes: readonly string[], readonly columns: readonly ColumnReport[]) {
    const catNames = encoding.categorical.map((c) => c.name);
    this.cats = catNames.map((n) => plan.features.indexOf(n));
    this.numeric = plan.features.flatMap((f, k) => (catNames.includes(f) ? [] : [k]));
    this.features = this.numeric.map((k) => plan.features[k]);
    this.target = plan.target;
    this.encoder = new RowEncoder(encoding);
    this.sparse = { width: encoding.width, encoding, nnzPerRow: this.encoder.perRow };
    this.counted = rows;
  }

  get rows(): number | null {
    return this.counted;
  }

  get hasTarget(): boolean {
    return this.plan.targetCol >= 0;
  }

  /** Rows the last complete pass skipped for a blank cell (with the plan's missing 'skip', or a blank target with 'fill'). */
  get skipped(): number {
    return this.skips;
  }

  get targetLabels(): readonly string[] | undefined {
    return this.plan.labels?.list;
  }

  async *read(opts: ReadOptions = {}): AsyncGenerator<HostChunk> {
    const max = chunkRows(opts, this.features.length + this.encoder.perRow);
    const { plan, encoder, numeric, cats } = this;
    const d = numeric.length;
    const cells = new Array<string>(cats.length);
    let x = new Float32Array(max * d);
    let y = new Float32Array(max);
    const csr = new CsrBuilder(false, max, max * encoder.perRow);
    let r = 0;
    let first = 0;
    const take = (): HostChunk => {
      const c = { rows: r, x: x.subarray(0, r * d), y: y.subarray(0, r), firstRow: first, sparse: csr.take() };
      first += r;
      r = 0;
      x = new Float32Array(max * d);
      y = new Float32Array(max);
      return c;
    };
    let skipped = 0;
    for await (const [fields, line] of dataLines(plan, this.open, opts.signal)) {
      try {
        for (let j = 0; j < d; j++) x[r * d + j] = slotValue(plan, fields, numeric[j], line, ' (a text column: name it in --categorical)');
        y[r] = lineTarget(plan, fields, line);
      } catch (e) {
        if (!skips(plan, e)) throw e;
        skipped++;
        plan.onSkip?.({ line, before: first + r, reason: (e as Error).message });
        continue;
      }
      for (let c = 0; c < cats.length; c++) cells[c] = fields[plan.featureCols[cats[c]]].trim();
      csr.reserve(encoder.perRow);
      csr.n += encoder.encode(cells, csr.idx, csr.n);
      csr.endRow();
      if (++r === max) yield take();
    }
    if (r > 0) yield take();
    if (first === 0) throw new DataError(plan.file, null, null, skipped > 0 ? `every data row was missing a value (${skipped} skipped)` : 'the file has a header but no data rows');
    this.counted = first;
    this.skips = skipped;
  }
}

/** Opens a CSV with text columns: the header now, then the first pass (unless the encoding is fixed). */
export async function encodedCsvSourceFromStream(name: string, open: () => ByteStream, o: EncodedCsvOptions): Promise<EncodedCsvSource> {
  const headerLine = await readHeaderLine(name, open());
  const fixed = o.fixed;
  const features = fixed ? [...fixed.features, ...fixed.encoding.categorical.map((c) => c.name)] : o.features;
  const plan = makePlan(name, headerLine, { ...o, features });
  const kinds = namedKinds(name, plan.features, o);
  if (fixed) return new EncodedCsvSource(name, plan, open, fixed.encoding, null, [], []);
  const notes: string[] = [];
  const detected = new Set<number>();
  for (;;) {
    const pass = await firstPass(plan, open, kinds);
    if (pass.found) {
      for (const [k, [line, value]] of pass.found) {
        kinds[k] = o.encoding ?? 'onehot';
        detected.add(k);
        notes.push(textNote(name, plan.features[k], value, ` on line ${line}`, kinds[k]!));
      }
      continue;
    }
    const encoding = encodingOf(name, plan.features, kinds, pass.counts, o);
    const columns = kinds.flatMap((kind, k) => (kind ? [{
      name: plan.features[k], kind, levels: pass.counts[k]!.size, more: kind === 'hash' && pass.counts[k]!.size >= DISTINCT_CAP, detected: detected.has(k),
    }] : []));
    if (pass.rows === 0) throw new DataError(name, null, null, 'the file has a header but no data rows');
    return new EncodedCsvSource(name, plan, open, encoding, pass.rows, notes, columns);
  }
}

/** Lines the quick look at a CSV reads to find text columns before choosing a reader. */
const SNIFF_LINES = 2000;

/** The feature columns holding text in a CSV's first lines (the numeric reader would stop at them; it reads "column=level" indicators). */
export async function textColumnsIn(name: string, open: () => ByteStream, o: CsvStreamOptions): Promise<string[]> {
  const plan = makePlan(name, await readHeaderLine(name, open()), o);
  const cells = plan.features.map(() => new TextCount());
  for await (const [fields, line] of dataLines(plan, open)) {
    plan.featureCols.forEach((col, k) => cells[k].add(fields[col], line));
    if (line > SNIFF_LINES) break;
  }
  return plan.features.filter((_, k) => plan.levels[k] === null && cells[k].isText());
}
