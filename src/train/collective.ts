// The collective operations a data-parallel run needs — an allreduce of f64 sums (a binomial tree for short vectors,
// a ring for long ones), a broadcast, an allgather of bytes, a fold up a binary tree (TSQR's merge) and a barrier —
// written once over a point-to-point Transport, so the TCP ranks (src/dist/) and the in-process ranks of the tests
// run the same algorithms. Every result is computed in a fixed order that depends only on the world size, and
// finished values are copied, never recomputed, so every rank holds the same bits. No Node modules here.

/** A group of ranks that sum, share and wait together (one per process in a distributed run). */
export interface Collective {
  readonly rank: number;
  readonly size: number;
  /** The element-wise sum over every rank; every rank receives the same bits. */
  allreduce(values: Float64Array): Promise<Float64Array>;
  /** Rank 0's values on every rank (the others' arguments are ignored). */
  broadcast(values: Float64Array): Promise<Float64Array>;
  /** Every rank's bytes, in rank order, on every rank. */
  allgather(bytes: Uint8Array): Promise<Uint8Array[]>;
  /**
   * Folds every rank's value up a binary tree — at level k rank r (a multiple of 2^(k+1)) takes
   * combine(its value, rank r + 2^k's) — and gives rank 0's result to every rank.
   */
  reduceTree(value: Float64Array, combine: (mine: Float64Array, theirs: Float64Array) => Float64Array): Promise<Float64Array>;
  /** Resolves when every rank has called it. */
  barrier(): Promise<void>;
  /** Stops every rank (best effort: peers are told why) and frees the connections; later calls throw. */
  abort(message: string): void;
  /** Closes the group after a last barrier (every rank calls it at the end of a run). */
  close(): Promise<void>;
}

/** The single-process group: every operation returns its input. */
export function soloCollective(): Collective {
  return {
    rank: 0, size: 1,
    allreduce: async (v) => Float64Array.from(v),
    broadcast: async (v) => Float64Array.from(v),
    allgather: async (b) => [Uint8Array.from(b)],
    reduceTree: async (v) => Float64Array.from(v),
    barrier: async () => {},
    abort: () => {},
    close: async () => {},
  };
}

/** Point-to-point messages between ranks, in order per peer; what the collective algorithms run on. */
export interface Transport {
  readonly rank: number;
  readonly size: number;
  /** Sends bytes to a peer (queued; order kept per peer). `tag` numbers the operation, checked by the receiver. */
  send(peer: number, tag: number, data: Uint8Array): void;
  /** The next message from a peer; rejects when the peer fails, the group is aborted, or the wait times out. */
  recv(peer: number, tag: number): Promise<Uint8Array>;
  abort(message: string): void;
  close(): Promise<void>;
}

/** Vectors of at most this many bytes are summed up a tree (latency-bound); longer ones around the ring. */
export const TREE_BYTES = 64 * 1024;

const f64 = (b: Uint8Array): Float64Array => new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
const bytesOf = (v: Float64Array): Uint8Array => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/** The peers a rank exchanges messages with: its ring neighbours and its partners in the binary tree. */
export function neighbours(rank: number, size: number): number[] {
  const out = new Set<number>();
  if (size > 1) {
    out.add((rank + 1) % size);
    out.add((rank + size - 1) % size);
  }
  for (let mask = 1; mask < size; mask <<= 1) {
    if (rank & mask) {
      out.add(rank - mask);
      break;
    }
    if (rank + mask < size) out.add(rank + mask);
  }
  out.delete(rank);
  return [...out].sort((a, b) => a - b);
}

/** Segment i of n values cut into p near-equal parts: [start, end). */
function segment(n: number, p: number, i: number): [number, number] {
  return [Math.floor((i * n) / p), Math.floor(((i + 1) * n) / p)];
}

/** The collective algorithms over a Transport. */
export class PeerCollective implements Collective {
  private tag = 0;

  constructor(private readonly net: Transport) {}

  get rank(): number {
    return this.net.rank;
  }

  get size(): number {
    return this.net.size;
  }

  async allreduce(values: Float64Array): Promise<Float64Array> {
    if (this.size === 1) return Float64Array.from(values);
    if (values.byteLength <= TREE_BYTES || values.length < this.size) {
      return this.broadcast(await this.fold(Float64Array.from(values), (a, b) => addInto(a, b)));
    }
    return this.ring(Float64Array.from(values));
  }

  async broadcast(values: Float64Array): Promise<Float64Array> {
    if (this.size === 1) return Float64Array.from(values);
    const tag = this.nextTag();
    const { rank, size } = this;
    // Down the binomial tree that `fold` climbs: rank r (a multiple of 2·mask) passes it on to r + mask.
    let data: Float64Array | null = rank === 0 ? Float64Array.from(values) : null;
    let top = 1;
    while (top < size) top <<= 1;
    for (let mask = top >> 1; mask >= 1; mask >>= 1) {
      if (rank % (2 * mask) === 0 && rank + mask < size) this.net.send(rank + mask, tag, bytesOf(data!));
      else if (rank % (2 * mask) === mask) data = f64(await this.net.recv(rank - mask, tag));
    }
    return data!;
  }

  async allgather(bytes: Uint8Array): Promise<Uint8Array[]> {
    const { rank, size } = this;
    const out: Uint8Array[] = new Array(size);
    out[rank] = Uint8Array.from(bytes);
    if (size === 1) return out;
    const tag = this.nextTag();
    const next = (rank + 1) % size;
    const prev = (rank + size - 1) % size;
    for (let s = 0; s < size - 1; s++) {
      this.net.send(next, tag, out[(rank - s + size) % size]);
      out[(rank - s - 1 + size) % size] = await this.net.recv(prev, tag);
    }
    return out;
  }

  async reduceTree(value: Float64Array, combine: (mine: Float64Array, theirs: Float64Array) => Float64Array): Promise<Float64Array> {
    const folded = await this.fold(Float64Array.from(value), combine);
    const length = await this.broadcast(Float64Array.of(folded.length));
    return this.broadcast(this.rank === 0 ? folded : new Float64Array(length[0]));
  }

  async barrier(): Promise<void> {
    await this.allreduce(new Float64Array(1));
  }

  abort(message: string): void {
    this.net.abort(message);
  }

  async close(): Promise<void> {
    await this.barrier();
    await this.net.close();
  }

  private nextTag(): number {
    this.tag = (this.tag + 1) >>> 0;
    return this.tag;
  }

  /** Folds values up the binary tree to rank 0 (its result; other ranks get what they last held). */
  private async fold(value: Float64Array, combine: (a: Float64Array, b: Float64Array) => Float64Array): Promise<Float64Array> {
    const tag = this.nextTag();
    const { rank, size } = this;
    let acc = value;
    for (let mask = 1; mask < size; mask <<= 1) {
      if (rank & mask) {
        this.net.send(rank - mask, tag, bytesOf(acc));
        return acc;
      }
      if (rank + mask < size) acc = combine(acc, f64(await this.net.recv(rank + mask, tag)));
    }
    return acc;
  }

  /** Ring allreduce: a reduce-scatter, then an allgather of the finished segments (2·(p−1)/p of the bytes per rank). */
  private async ring(buf: Float64Array): Promise<Float64Array> {
    const tag = this.nextTag();
    const { rank, size } = this;
    const next = (rank + 1) % size;
    const prev = (rank + size - 1) % size;
    const seg = (i: number) => {
      const [a, b] = segment(buf.length, size, ((i % size) + size) % size);
      return buf.subarray(a, b);
    };
    for (let s = 0; s < size - 1; s++) {
      this.net.send(next, tag, bytesOf(seg(rank - s)));
      addInto(seg(rank - s - 1), f64(await this.net.recv(prev, tag)));
    }
    for (let s = 0; s < size - 1; s++) {
      this.net.send(next, tag, bytesOf(seg(rank + 1 - s)));
      seg(rank - s).set(f64(await this.net.recv(prev, tag)));
    }
    return buf;
  }
}

/** a += b, element-wise (lengths must match); returns a. */
function addInto(a: Float64Array, b: Float64Array): Float64Array {
  if (a.length !== b.length) throw new Error(`collective: a peer sent ${b.length} values where ${a.length} were expected`);
  for (let i = 0; i < a.length; i++) a[i] += b[i];
  return a;
}

/** Every rank's JSON value, in rank order, on every rank. */
export async function allgatherJson<T>(c: Collective, value: T): Promise<T[]> {
  const all = await c.allgather(new TextEncoder().encode(JSON.stringify(value)));
  return all.map((b) => JSON.parse(new TextDecoder().decode(b)) as T);
}

/** The values of several arrays, one after another, in one new f64 array. */
export function concat(...parts: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
