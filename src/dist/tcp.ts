// The TCP transport under the collectives: authenticated connections to this rank's neighbours (conn.ts), data
// frames in order per peer, heartbeats both ways, a time limit on every wait, and one way to fail: the first fault —
// a peer silent too long, a closed socket, a bad frame, an abort, a wait past its limit, this rank's own error —
// is sent as an abort to every neighbour (who pass it on), every pending and later operation rejects with a
// RankError naming the rank at fault, and `onFault` lets the process end even while it is busy elsewhere.
import type { Transport } from '../train/collective';
import type { Conn } from './conn';
import { FRAME } from './frames';

/** How long things may take, in milliseconds. */
export interface Timing {
  /** Between heartbeats on every connection. */
  heartbeat: number;
  /** A peer silent this long (no data, no heartbeat) is taken as dead. */
  peerTimeout: number;
  /** The longest wait for one message of a collective (a peer alive but not taking part). */
  opTimeout: number;
}

/** The defaults: a heartbeat every second, dead after 10 s of silence, 30 minutes for one message. */
export const DEFAULT_TIMING: Timing = { heartbeat: 1000, peerTimeout: 10_000, opTimeout: 1_800_000 };

/** A distributed run stopped because of a rank (`rank`: the one at fault, as far as this rank knows). */
export class RankError extends Error {
  override name = 'RankError';
  constructor(readonly rank: number, readonly reason: string, self: number) {
    super(rank === self ? reason : `stopped: rank ${rank} ${reason}`);
  }
}

/** Messages to and from this rank's neighbours over authenticated TCP connections. */
export class TcpTransport implements Transport {
  private error: RankError | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly waits = new Set<(e: Error) => void>();
  private lastTick = Date.now();

  constructor(
    readonly rank: number, readonly size: number, private readonly conns: Map<number, Conn>,
    private readonly timing: Timing, private readonly onFault: (e: RankError) => void = () => undefined,
  ) {
    for (const c of conns.values()) c.onFault = (peer, message) => this.fault(peer, message);
    this.timer = setInterval(() => this.tick(), timing.heartbeat);
    this.timer.unref();
  }

  send(peer: number, tag: number, data: Uint8Array): void {
    if (this.error) throw this.error;
    this.conn(peer).send(FRAME.data, tag, data);
  }

  async recv(peer: number, tag: number): Promise<Uint8Array> {
    if (this.error) throw this.error;
    const c = this.conn(peer);
    let stop: (e: Error) => void = () => undefined;
    const fail = new Promise<never>((_, reject) => this.waits.add((stop = reject)));
    fail.catch(() => undefined);
    try {
      const f = await Promise.race([c.next(this.timing.opTimeout, `rank ${peer} in a collective operation`), fail]);
      if (f.type !== FRAME.data || f.tag !== tag) {
        this.fault(peer, `broke the protocol: expected data for operation ${tag}, got a frame of type ${f.type} for operation ${f.tag}`);
      }
      return f.payload;
    } catch (e) {
      if (!this.error) this.fault(peer, `did not take part in a collective operation for ${Math.round(this.timing.opTimeout / 1000)} s (${(e as Error).message})`);
      throw this.error!;
    } finally {
      this.waits.delete(stop);
    }
  }

  /** Stops the run on every rank with this rank's message. */
  abort(message: string): void {
    this.fault(this.rank, message);
  }

  /** Says goodbye on every connection and closes them. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const closed = [...this.conns.values()].map((c) => new Promise<void>((resolve) => {
      c.socket.once('close', () => resolve());
      setTimeout(resolve, 2000).unref();
      c.close();
    }));
    await Promise.all(closed);
  }

  /** The first fault wins: tell every neighbour, fail every wait, report it. */
  fault(origin: number, message: string): void {
    if (this.error) return;
    this.error = new RankError(origin, message, this.rank);
    clearInterval(this.timer);
    const payload = Buffer.from(JSON.stringify({ origin, message }));
    for (const c of this.conns.values()) {
      c.send(FRAME.abort, 0, payload);
      c.close();
    }
    for (const w of this.waits) w(this.error);
    this.waits.clear();
    this.onFault(this.error);
  }

  private conn(peer: number): Conn {
    const c = this.conns.get(peer);
    if (!c) throw new Error(`rank ${this.rank} has no connection to rank ${peer} (a collective used a link it did not open)`);
    return c;
  }

  /** Heartbeats out; a peer silent past the limit is at fault — unless this rank itself was too busy to listen. */
  private tick(): void {
    const now = Date.now();
    const late = now - this.lastTick > this.timing.peerTimeout / 2;
    this.lastTick = now;
    for (const c of this.conns.values()) {
      c.send(FRAME.heartbeat, 0);
      if (late) c.lastHeard = now;
      else if (now - c.lastHeard > this.timing.peerTimeout) {
        this.fault(c.peer, `sent nothing for ${Math.round((now - c.lastHeard) / 1000)} s (it stalled, or the network between the ranks is down)`);
        return;
      }
    }
  }
}
