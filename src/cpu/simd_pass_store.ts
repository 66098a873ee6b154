// The fast CPU backend's rows read again at every pass (Backend.createPassStore): instead of holding the features in
// the arena, a store lays the rows out as resident slots would be (rowsIn), keeps only their targets (y: 4 bytes a
// row, read and mapped once) and reads each job's chunks of features from the source into one reused buffer, so a
// pass touches the same few megabytes every time. A page of fresh memory costs ~6–13 µs on
// the VM where this was measured (bench/NOTES.md), 0.6 s for 128 MB, while reading the same bytes again into memory
// already touched costs ~0.02 s: a solver that makes ~10 passes (L-BFGS) is faster streaming. Past `holdAfter`
// passes' worth of rows read (a long solve, where reading again would cost more than holding) the store reads the
// features once more into memory of their own and holds them from then on. Each chunk of a job is
// read whole and summed by the same code over the same rows in the same blocks, and the chunks' sums are added in
// the same order, so a pass gives the resident store's sums bit for bit. Where the source reads blocking
// (RowFeed.readFeaturesSync), the next round is read while the workers sum this one without a turn of the event loop.
import type { PassStore, RowFeed } from '../backend';
import { NO_EXTRAS, type HostChunk, type RowExtras } from '../core/dataset';
import type { Piece } from '../core/schedule';
import type { Arena } from './simd_arena';

/** Bytes of rows a buffer holds at least: a round of a few chunks (two buffers: one read while the other's rows are summed). */
export const ROUND_BYTES = 16 * 2 ** 20;
/**
 * Passes read before the store holds the rows instead. For 128 MB on the VM of bench/NOTES.md a pass read again cost
 * ~28 ms more CPU than a held one (~10–20 ms more wall at calm, ~50–90 ms under load) and holding them ~0.5 s once:
 * break-even ~18 passes by CPU, fewer under load. 12 keeps an L-BFGS solve to a 1e-6 gap (10 passes and the final
 * metrics) reading, and bounds what a longer solve pays for having read.
 */
export const HOLD_AFTER = 12;

/** What runs a job of pieces (the session, simd_backend.ts). */
export interface JobRunner {
  /** How many chunks a job of this many rows is split into. */
  chunksFor(rows: number): number;
  /** Piece i of the next job: rows [start, start + count) of n in the arena (x at byte `x` with a stride of rb, y at byte `y`). */
  piece(i: number, x: number, y: number, n: number, start: number, count: number): void;
  /**
   * Opens the pieces written as a job of chunks [first, first + chunks) of `span` rows split into n to the worker
   * threads, returning at once.
   */
  open(pieces: number, rows: number, chunks: number, span: number, n: number, first: number): void;
  /** Runs the open job's chunks left on this thread, waits for the others', and adds each chunk's sums in chunk order. */
  join(): void;
}

/** Rows read from a feed into a reused buffer for each job (see the file header). */
export class SimdPassStore implements PassStore {
  readonly rowsIn: number[];
  readonly extras: RowExtras = NO_EXTRAS;
  private bufs = [{ x: 0, capacity: 0 }, { x: 0, capacity: 0 }];
  /** The targets of every row (byte offset in the arena; 0 before the scan). */
  private y = 0;
  /** The features of every row once held (byte offset; 0 while they are read at every pass). */
  private held = 0;
  /** Rows read by passes so far. */
  private rowsRead = 0;
  /** Where rows are read when they cannot land in the arena as laid out (D not a multiple of 4): reused too. */
  private host: HostChunk | null = null;

  constructor(
    readonly d: number, readonly slotRows: number, readonly rb: number, readonly feed: RowFeed, private readonly arena: Arena,
    private readonly roundBytes = ROUND_BYTES, private readonly holdAfter = HOLD_AFTER,
  ) {
    const { rows } = feed;
    this.rowsIn = Array.from({ length: Math.ceil(rows / slotRows) }, (_, s) => Math.min(slotRows, rows - s * slotRows));
  }

  async load(): Promise<void> {
    throw new Error('a store that reads its rows at every pass is not loaded slot by slot');
  }

  /** Buffer b, for at least `rows` rows (grown once, then reused). */
  private ensure(b: number, rows: number): { x: number; capacity: number } {
    const buf = this.bufs[b];
    if (buf.capacity >= rows) return buf;
    if (buf.capacity) this.arena.release(buf.x);
    return (this.bufs[b] = { x: this.arena.alloc(rows * this.rb), capacity: rows });
  }

  /**
   * Reads the source's rows [start, start + count) into buffer rows [at, at + count): their features, and (the scan,
   * `targets`) their targets into the kept targets.
   */
  private async read(start: number, count: number, x: number, targets = false): Promise<void> {
    const { d, rb, arena } = this;
    const y = (f32: Float32Array) => f32.subarray(this.y / 4 + start, this.y / 4 + start + count);
    if (rb === d * 4) {
      const { f32 } = arena.views;
      const { kernels } = arena;
      const allFinite = (v: Float32Array) => v.buffer === arena.views.f32.buffer && kernels.allFinite(v.byteOffset, v.length) === 1;
      const into = { rows: count, x: f32.subarray(x / 4, x / 4 + count * d), y: y(f32), allFinite };
      if (!targets && this.feed.readFeaturesSync?.(start, count, into)) return;
      return this.feed.readInto(start, count, into, !targets);
    }
    if (!this.host || this.host.rows < count) this.host = { rows: count, x: new Float32Array(count * d), y: new Float32Array(count) };
    const h = this.host;
    if (targets || !this.feed.readFeaturesSync?.(start, count, h)) await this.feed.readInto(start, count, h, !targets);
    const { f32 } = arena.views;
    for (let r = 0; r < count; r++) f32.set(h.x.subarray(r * d, (r + 1) * d), (x + r * rb) / 4);
    if (targets) y(f32).set(h.y.subarray(0, count));
  }

  /** Reads every row once, in order, through the buffer: the source checks every value, and the targets are kept. */
  async scan(signal?: AbortSignal): Promise<void> {
    if (!this.y) this.y = this.arena.alloc(Math.max(1, this.feed.rows) * 4);
    const rows = Math.max(1, Math.min(this.feed.rows, Math.floor(this.roundBytes / this.rb)));
    const { x } = this.ensure(0, rows);
    for (let start = 0; start < this.feed.rows; start += rows) {
      signal?.throwIfAborted();
      await this.read(start, Math.min(rows, this.feed.rows - start), x, true);
    }
  }

  targets(slot: number): Float32Array {
    if (!this.y) throw new Error('the store was not scanned');
    const at = this.y / 4 + slot * this.slotRows;
    return this.arena.views.f32.subarray(at, at + this.rowsIn[slot]);
  }

  /**
   * Sums over pieces (whole slots or runs of them in storage order, as passes take them) in jobs of at most `most`
   * pieces: each job's chunks are read a round at a time into one buffer while the other's round is summed by the
   * workers (see the file header).
   */
  async sums(pieces: readonly Piece[], most: number, job: JobRunner): Promise<void> {
    if (!this.y) throw new Error('the store was not scanned');
    if (!this.held && this.rowsRead >= this.holdAfter * this.feed.rows) await this.hold();
    for (let at = 0; at < pieces.length; at += most) {
      const group = pieces.slice(at, at + most);
      for (const q of group) {
        if (q.shuffle && !(q.start === 0 && q.count === this.rowsIn[q.chunk])) throw new Error('a store that reads its rows at every pass serves rows in storage order only');
      }
      const span = group.reduce((a, q) => a + q.count, 0);
      const n = job.chunksFor(span);
      if (this.held) {
        group.forEach((q, i) => job.piece(i, this.held + q.chunk * this.slotRows * this.rb, this.y + q.chunk * this.slotRows * 4, this.rowsIn[q.chunk], q.start, q.count));
        job.open(group.length, span, n, span, n, 0);
        job.join();
        continue;
      }
      this.rowsRead += span;
      const bound = (c: number) => Math.floor((span * c) / n);
      const per = Math.max(1, Math.floor(this.roundBytes / (this.rb * Math.ceil(span / n))));
      let next = this.round(group, bound(0), bound(Math.min(per, n)), 0);
      for (let c = 0, b = 0; c < n; c += per, b ^= 1) {
        const segs = await next;
        const chunks = Math.min(per, n - c);
        segs.forEach((s, i) => job.piece(i, s.x, s.y, s.rows, 0, s.rows));
        job.open(segs.length, bound(c + chunks) - bound(c), chunks, span, n, c);
        // The next round is read while the workers sum this one; this thread then takes what they left.
        const more = c + per < n;
        next = more ? this.round(group, bound(c + per), bound(Math.min(n, c + 2 * per)), b ^ 1) : Promise.resolve([]);
        try {
          if (more) await next;
        } finally {
          job.join();
        }
      }
    }
  }

  /** Reads every row's features once more into memory of their own (the buffers released first), to hold them from now on. */
  private async hold(): Promise<void> {
    for (const b of this.bufs) if (b.capacity) this.arena.release(b.x);
    this.bufs = [{ x: 0, capacity: 0 }, { x: 0, capacity: 0 }];
    const held = this.arena.alloc(Math.max(1, this.feed.rows) * this.rb);
    try {
      const rows = Math.max(1, Math.floor(this.roundBytes / this.rb));
      for (let start = 0; start < this.feed.rows; start += rows) await this.read(start, Math.min(rows, this.feed.rows - start), held + start * this.rb);
    } catch (e) {
      this.arena.release(held);
      throw e;
    }
    this.held = held;
  }

  /** Reads rows [lo, hi) of the pieces laid end to end into buffer b: the next job's pieces. */
  private async round(group: readonly Piece[], lo: number, hi: number, b: number): Promise<{ x: number; y: number; rows: number }[]> {
    const { x } = this.ensure(b, hi - lo);
    const segs: { x: number; y: number; rows: number }[] = [];
    let off = 0;
    for (let i = 0, first = 0; i < group.length && first < hi; first += group[i].count, i++) {
      const q = group[i];
      const [from, to] = [Math.max(lo, first) - first, Math.min(hi, first + q.count) - first];
      if (from >= to) continue;
      const row = q.chunk * this.slotRows + q.start + from;
      await this.read(row, to - from, x + off * this.rb);
      segs.push({ x: x + off * this.rb, y: this.y + row * 4, rows: to - from });
      off += to - from;
    }
    return segs;
  }

  dispose(): void {
    for (const b of this.bufs) if (b.capacity) this.arena.release(b.x);
    if (this.y) this.arena.release(this.y);
    if (this.held) this.arena.release(this.held);
    this.bufs = [{ x: 0, capacity: 0 }, { x: 0, capacity: 0 }];
    this.y = this.held = 0;
    this.host = null;
  }
}
