// A streaming CSV source over byte chunks (a fetch body, Blob.stream(), a Node file stream): reads the header
// first, then each pass re-reads the bytes and yields float32 chunks of at most maxRows rows. Lines that span
// chunk boundaries are stitched here; the parsing itself is in csv_fast.ts (hot path), csv_labels.ts (class-label
// targets), csv_table.ts (text columns read one-hot) and csv_plan.ts (rules).
// No Node imports: the browser bundle uses this file directly (see blob_source.ts; node_files.ts for Node).
import type { HostChunk } from '../core/dataset';
import { chunkRows } from './blocks';
import { DataError } from './csv';
import { RowParser, lineText } from './csv_fast';
import { LabelRowParser } from './csv_labels';
import { TableRowParser } from './csv_table';
import { isBlank, makePlan, type CsvPlan, type CsvStreamOptions } from './csv_plan';
import { notText } from './sniff';
import type { DataSource, ReadOptions } from './source';

export type { CsvStreamOptions } from './csv_plan';

/** Something that yields the bytes of a file once per call. */
export type ByteStream = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** A byte range [start, end) of whole lines: b[end − 1] is a line feed. */
export type Region = [b: Uint8Array, start: number, end: number];

/** A plain Uint8Array view (a Node Buffer is a subclass; one array class keeps the parser's loads monomorphic). */
const plain = (c: Uint8Array): Uint8Array => (c.constructor === Uint8Array ? c : new Uint8Array(c.buffer, c.byteOffset, c.byteLength));

/** Yields the chunks of a web stream or an async iterable, releasing the stream when the consumer stops. */
async function* byteChunks(src: ByteStream): AsyncGenerator<Uint8Array> {
  if (!('getReader' in src)) {
    for await (const c of src) if (c.length > 0) yield plain(c);
    return;
  }
  const reader = src.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value.length > 0) yield plain(value);
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/** Cuts a byte stream into regions of whole lines, carrying a partial last line over to the next chunk. */
class LineFeeder {
  private carry = new Uint8Array(1 << 12);
  private carryLen = 0;

  private append(b: Uint8Array): void {
    if (this.carryLen + b.length > this.carry.length) {
      const bigger = new Uint8Array(Math.max(2 * this.carry.length, this.carryLen + b.length));
      bigger.set(this.carry.subarray(0, this.carryLen));
      this.carry = bigger;
    }
    this.carry.set(b, this.carryLen);
    this.carryLen += b.length;
  }

  /** The regions of complete lines that this chunk finishes (none, or the stitched line and the rest). */
  push(b: Uint8Array): Region[] {
    const last = b.lastIndexOf(10);
    if (last < 0) {
      this.append(b);
      return [];
    }
    const out: Region[] = [];
    let from = 0;
    if (this.carryLen > 0) {
      from = b.indexOf(10) + 1;
      this.append(b.subarray(0, from));
      out.push([this.carry.slice(0, this.carryLen), 0, this.carryLen]);
      this.carryLen = 0;
    }
    if (last + 1 > from) out.push([b, from, last + 1]);
    this.append(b.subarray(last + 1));
    return out;
  }

  /**
   * The last line when the stream did not end with a line feed (one is appended), or null. A CR at the very
   * end is content, not half a CRLF: a vertical tab (never a delimiter, trimmed like the CR) keeps the two apart.
   */
  end(): Region | null {
    if (this.carryLen === 0) return null;
    this.append(this.carry[this.carryLen - 1] === 13 ? Uint8Array.of(11, 10) : Uint8Array.of(10));
    const r: Region = [this.carry.slice(0, this.carryLen), 0, this.carryLen];
    this.carryLen = 0;
    return r;
  }
}

/** Yields every region of a stream, the unterminated last line included. */
export async function* regions(src: ByteStream, signal?: AbortSignal): AsyncGenerator<Region> {
  const lines = new LineFeeder();
  for await (const chunk of byteChunks(src)) {
    signal?.throwIfAborted();
    yield* lines.push(chunk);
  }
  const last = lines.end();
  if (last) yield last;
}

/** The chunks of a stream, the first one checked to be text (sniff.ts): a gzip or UTF-16 file is named as such. */
export async function* textChunks(name: string, src: ByteStream): AsyncGenerator<Uint8Array> {
  let first = true;
  for await (const c of byteChunks(src)) {
    if (first) {
      const why = notText(c);
      if (why) throw new DataError(name, null, null, `${why}; expected CSV text`);
      first = false;
    }
    yield c;
  }
}

/** The header line (BOM and line ending removed), with the file-is-empty check of parseCsv. */
export async function readHeaderLine(name: string, src: ByteStream): Promise<string> {
  let header: string | null = null;
  for await (const [b, start, end] of regions(textChunks(name, src))) {
    for (let i = start; i < end; ) {
      const nl = b.indexOf(10, i);
      const text = lineText(b, i, nl);
      i = nl + 1;
      if (header === null) header = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
      // A blank first line is still the header, unless every line is blank (then the file counts as empty).
      if (!isBlank(text)) return header;
    }
  }
  throw new DataError(name, null, null, 'the file is empty; expected a header row and data rows');
}

/** Parses one region into the parser, yielding each chunk that fills up. */
function* parseRegion(p: RowParser, [b, start, end]: Region): Generator<HostChunk> {
  for (let i = start; i < end; ) {
    i = p.parse(b, i, end);
    if (p.full) yield p.take();
  }
}

/** The row parser of one pass (a table with one-hot columns, class labels or numbers), lines numbered from `firstLine`. */
function parserFor(plan: CsvPlan, opts: ReadOptions, firstLine: number): RowParser {
  const rows = chunkRows(opts, plan.features.length);
  return plan.indicators.length > 0 ? new TableRowParser(plan, rows, firstLine)
    : plan.labels !== null && plan.targetCol >= 0 ? new LabelRowParser(plan, rows, firstLine) : new RowParser(plan, rows, firstLine);
}

/**
 * One pass over part of a CSV: a stream of whole data lines without the header (see DataSource.part). Lines are
 * numbered from the part's first; a part may hold no rows.
 */
export async function* csvPartPass(plan: CsvPlan, open: () => ByteStream, opts: ReadOptions): AsyncGenerator<HostChunk> {
  const p = parserFor(plan, opts, 1);
  for await (const region of regions(open(), opts.signal)) yield* parseRegion(p, region);
  if (p.rows > 0) yield p.take();
}

/** One pass over a CSV byte stream (opened when iteration starts) whose header has been read into `plan`. */
export async function* csvPass(plan: CsvPlan, open: () => ByteStream, opts: ReadOptions, done: (rows: number, skipped: number) => void): AsyncGenerator<HostChunk> {
  const p = parserFor(plan, opts, 2);
  let headerSeen = false;
  for await (const region of regions(open(), opts.signal)) {
    if (!headerSeen) {
      const [b, start] = region;
      const nl = b.indexOf(10, start);
      let text = lineText(b, start, nl);
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text !== plan.headerLine) throw new DataError(plan.file, 1, null, 'the header changed since the file was opened');
      headerSeen = true;
      region[1] = nl + 1;
    }
    yield* parseRegion(p, region);
  }
  if (p.rows > 0) yield p.take();
  if (p.firstRow === 0) {
    const bad = plan.skipBadRows ? 'bad' : 'missing a value';
    const why = p.skipped > 0 ? `every data row was ${bad} (${p.skipped} skipped)` : 'the file has a header but no data rows';
    throw new DataError(plan.file, null, null, why);
  }
  done(p.firstRow, p.skipped);
}

/** A CSV file read as a stream: `rows` and `skipped` are known after the first complete pass. */
export class CsvSource implements DataSource {
  readonly features: readonly string[];
  readonly target: string;
  private counted: { rows: number; skipped: number } | null = null;

  constructor(readonly description: string, readonly plan: CsvPlan, private readonly open: () => ByteStream) {
    this.features = plan.features;
    this.target = plan.target;
  }

  /** Whether the file has the target column (it may lack it when opened with targetOptional). */
  get hasTarget(): boolean {
    return this.plan.targetCol >= 0;
  }

  /** Rows of the last complete pass (null before one). */
  get rows(): number | null {
    return this.counted?.rows ?? null;
  }

  /** Label mode: the labels found so far, in order of first appearance (y holds indices into it). */
  get targetLabels(): readonly string[] | undefined {
    return this.plan.labels?.list;
  }

  /** Bad rows skipped in the last complete pass (undefined before one). */
  get skipped(): number | undefined {
    return this.counted?.skipped;
  }

  /** One pass over every row, in chunks of at most maxRows (default 65536) rows. */
  read(opts: ReadOptions = {}): AsyncIterable<HostChunk> {
    return csvPass(this.plan, this.open, opts, (rows, skipped) => {
      this.counted = { rows, skipped };
    });
  }
}

/** Opens a CSV given a way to stream its bytes (called once for the header and once per pass). */
export async function csvSourceFromStream(name: string, open: () => ByteStream, opts: CsvStreamOptions): Promise<CsvSource> {
  const headerLine = await readHeaderLine(name, open());
  return new CsvSource(name, makePlan(name, headerLine, opts), open);
}
