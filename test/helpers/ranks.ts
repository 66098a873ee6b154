// Ranks inside one test process: `size` collectives joined by in-memory queues (the same algorithms as the TCP
// ranks, src/train/collective.ts), so a distributed run's logic is tested without sockets or child processes; and
// `onRanks`, which runs one function per rank concurrently and aborts the group when one of them throws; and
// `counting`, a Collective that counts the operations a rank calls.
import { PeerCollective, type Collective, type Transport } from '../../src/train/collective';

interface Message {
  tag: number;
  data: Uint8Array;
}

/** What the ranks of one group share: a queue per (from, to) pair, its waiters and the abort reason. */
class Wires {
  queues = new Map<string, Message[]>();
  waiters = new Map<string, (m: Message) => void>();
  failed: Error | null = null;
  rejecters = new Set<(e: Error) => void>();
  /** Messages sent, for tests that count traffic. */
  sent = 0;
  bytes = 0;
}

class MemoryTransport implements Transport {
  constructor(readonly rank: number, readonly size: number, private readonly w: Wires) {}

  send(peer: number, tag: number, data: Uint8Array): void {
    if (this.w.failed) throw this.w.failed;
    const key = `${this.rank}>${peer}`;
    const m = { tag, data: Uint8Array.from(data) };
    this.w.sent++;
    this.w.bytes += data.byteLength;
    const waiter = this.w.waiters.get(key);
    if (waiter) {
      this.w.waiters.delete(key);
      waiter(m);
    } else {
      if (!this.w.queues.has(key)) this.w.queues.set(key, []);
      this.w.queues.get(key)!.push(m);
    }
  }

  recv(peer: number, tag: number): Promise<Uint8Array> {
    if (this.w.failed) return Promise.reject(this.w.failed);
    const key = `${peer}>${this.rank}`;
    const check = (m: Message) => {
      if (m.tag !== tag) throw new Error(`rank ${this.rank}: expected operation ${tag} from rank ${peer}, got ${m.tag}`);
      return m.data;
    };
    const q = this.w.queues.get(key);
    if (q?.length) return Promise.resolve(check(q.shift()!));
    return new Promise((resolve, reject) => {
      const fail = (e: Error) => reject(e);
      this.w.rejecters.add(fail);
      this.w.waiters.set(key, (m) => {
        this.w.rejecters.delete(fail);
        try {
          resolve(check(m));
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  abort(message: string): void {
    if (this.w.failed) return;
    this.w.failed = new Error(`stopped: rank ${this.rank} failed: ${message}`);
    for (const r of this.w.rejecters) r(this.w.failed);
    this.w.rejecters.clear();
  }

  async close(): Promise<void> {}
}

/** `size` ranks in this process; `stats` counts the messages and bytes they sent. */
export function memoryGroup(size: number): { ranks: Collective[]; stats: { sent: number; bytes: number } } {
  const w = new Wires();
  return { ranks: Array.from({ length: size }, (_, r) => new PeerCollective(new MemoryTransport(r, size, w))), stats: w };
}

/** Runs fn on every rank of a new in-memory group concurrently; the first error aborts the group and is thrown. */
export async function onRanks<T>(size: number, fn: (c: Collective) => Promise<T>): Promise<T[]> {
  const { ranks } = memoryGroup(size);
  let first: { error: unknown } | null = null;
  const runs = ranks.map((c) => fn(c).catch((e: unknown) => {
    first ??= { error: e };
    c.abort(e instanceof Error ? e.message : String(e));
    throw e;
  }));
  const settled = await Promise.allSettled(runs);
  if (first) throw (first as { error: unknown }).error;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** Calls of each collective operation, and the values allreduced. */
export interface CollectiveCounts {
  allreduce: number;
  values: number;
  other: number;
}

/** A Collective that passes every call on to `c` and counts it in `counts`. */
export function counting(c: Collective, counts: CollectiveCounts = { allreduce: 0, values: 0, other: 0 }): Collective & { counts: CollectiveCounts } {
  return {
    rank: c.rank, size: c.size, counts,
    allreduce: (v) => {
      counts.allreduce++;
      counts.values += v.length;
      return c.allreduce(v);
    },
    broadcast: (v) => (counts.other++, c.broadcast(v)),
    allgather: (b) => (counts.other++, c.allgather(b)),
    reduceTree: (v, f) => (counts.other++, c.reduceTree(v, f)),
    barrier: () => (counts.other++, c.barrier()),
    abort: (m) => c.abort(m),
    close: () => c.close(),
  };
}
