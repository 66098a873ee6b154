// The batch order of a data-parallel run: the chunks are grouped into S stripes (runs of whole chunks; S depends on the
// data and the batch size only, never on the number of ranks) and every step takes from each stripe its share of the
// batch — stripe s holds n_s of the N rows and has given floor(x·n_s/N) of them once x = (t + 1)·B rows are done — in
// the stripe's own seeded order (its chunks permuted, each chunk's rows through the keyed permutation). Ranks hold
// runs of whole chunks, so each holds about S/p stripes and works on every step, and 1 or 64 ranks take the same
// steps. A step holds B rows give or take S; an epoch covers every row once in ceil(N/B) steps, the last one exact.
// With one stripe (B < 1024) the steps are those of one process (schedule.ts's epochSteps).
import { deriveKey, permutation } from './rng';
import { chunkKey, chunkOrder, type EpochOptions, type Piece, type Step } from './schedule';

/** The most stripes (so the most ranks that share every step). */
export const MAX_STRIPES = 64;
/** The fewest rows a stripe gives a step: each is a separate sum, and smaller ones cost more than they share. */
export const MIN_STRIPE_ROWS = 512;

/** Stripes of `chunks` chunks for batches of `batch` rows: at most 64, one chunk each at least, ≥ 512 rows of each step. */
export function stripeCount(chunks: number, batch: number): number {
  return Math.max(1, Math.min(MAX_STRIPES, chunks, Math.floor(batch / MIN_STRIPE_ROWS)));
}

/** The chunks [first, end) of stripe s of `stripes` over `chunks` chunks. */
export function stripeChunks(chunks: number, stripes: number, s: number): [number, number] {
  return [Math.floor((s * chunks) / stripes), Math.floor(((s + 1) * chunks) / stripes)];
}

/** One stripe's rows in its epoch order, handed out as pieces. */
class StripeCursor {
  private at = 0;
  private offset = 0;
  given = 0;

  constructor(private readonly order: number[], private readonly rows: readonly number[], private readonly o: EpochOptions) {}

  /** The pieces of the next `count` rows. */
  take(count: number, out: Piece[]): void {
    const { seed, epoch, shuffle } = this.o;
    while (count > 0) {
      const chunk = this.order[this.at];
      const n = Math.min(count, this.rows[chunk] - this.offset);
      if (n > 0) out.push({ chunk, start: this.offset, count: n, shuffle, key: shuffle ? chunkKey(seed, epoch, chunk) : 0 });
      this.offset += n;
      this.given += n;
      count -= n;
      if (this.offset === this.rows[chunk]) {
        this.at++;
        this.offset = 0;
      }
    }
  }
}

/** The steps of one epoch over `stripes` stripes of the chunks `o.chunkRows` (global chunk numbers in the pieces). */
export function* stripedSteps(o: EpochOptions & { stripes: number }): Generator<Step> {
  const c = o.chunkRows.length;
  const rule = typeof o.lr === 'number' ? ((lr: number) => () => ({ lr, average: 0 }))(o.lr) : o.lr;
  const cursors: StripeCursor[] = [];
  const sizes: number[] = [];
  for (let s = 0; s < o.stripes; s++) {
    const [a, b] = stripeChunks(c, o.stripes, s);
    const ids = Array.from({ length: b - a }, (_, i) => a + i);
    // One stripe is the whole chunk list in the one-process order (schedule.ts): small batches train as one process does.
    const order = o.stripes === 1 ? chunkOrder(c, o.seed, o.epoch, o.shuffle)
      : o.shuffle ? permutation(ids.length, deriveKey(o.seed, o.epoch, 0x57a1, s)).map((i) => ids[i]) : ids;
    cursors.push(new StripeCursor(order, o.chunkRows, o));
    sizes.push(ids.reduce((n, id) => n + o.chunkRows[id], 0));
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  const steps = Math.ceil(total / o.batch);
  for (let t = 0; t < steps; t++) {
    const done = Math.min(total, (t + 1) * o.batch);
    const pieces: Piece[] = [];
    cursors.forEach((cur, s) => {
      // floor(done·n_s/N) exactly (the product may pass 2^53).
      const target = Number((BigInt(done) * BigInt(sizes[s])) / BigInt(total));
      cur.take(target - cur.given, pieces);
    });
    const g = (o.firstStep ?? 0) + t;
    yield { index: t, t: g, rows: pieces.reduce((n, p) => n + p.count, 0), ...rule(g), pieces };
  }
}
