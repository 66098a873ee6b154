// One TCP connection between two ranks: frames in and out, the handshake's challenge and proofs, then data in order.
// Before the peer has proved it holds the token a failure only ends this connection; afterwards anything wrong — a
// malformed or oversized frame, a close without goodbye, an abort — is reported through `onFault` with the peer's
// rank, so the whole run stops with that rank named. Heartbeats count as hearing from the peer and go no further.
import type { Socket } from 'node:net';
import { nonce, proof, sameProof } from './auth';
import { encodeFrame, FRAME, FrameReader, HELLO_LIMIT, MAX_FRAME, type Frame } from './frames';

/** What a rank says about itself when it connects. */
export interface Hello {
  rank: number;
  size: number;
  /** Where it accepts connections from other ranks (empty for rank 0, which is reached at the master address). */
  host: string;
  port: number;
}

/** Seconds a handshake may take. */
const HANDSHAKE_MS = 10_000;

/** A connection's frames, queued until read; faults after authentication go to `onFault`. */
export class Conn {
  /** The peer's rank once it has proved itself (−1 before). */
  peer = -1;
  lastHeard = Date.now();
  onFault: (peer: number, message: string) => void = () => undefined;
  private readonly frames: Frame[] = [];
  private waiter: { resolve: (f: Frame) => void; reject: (e: Error) => void } | null = null;
  private failed: Error | null = null;
  private goodbye = false;

  /** The peer's address, for messages about strangers. */
  readonly address: string;
  private readonly reader = new FrameReader(HELLO_LIMIT);

  constructor(readonly socket: Socket) {
    this.address = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', () => undefined); // 'close' follows and reports it
    socket.on('close', () => {
      if (!this.goodbye) this.fail(this.peer >= 0 ? 'closed its connection (it exited, crashed or was killed)' : 'closed the connection during the handshake');
    });
  }


  send(type: number, tag: number, payload?: Uint8Array): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(encodeFrame(type, tag, payload));
  }

  /** The next data or handshake frame; rejects after `ms` or when the connection fails. */
  next(ms: number, what: string): Promise<Frame> {
    if (this.frames.length) return Promise.resolve(this.frames.shift()!);
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`waited ${Math.round(ms / 1000)} s for ${what}`));
      }, ms);
      timer.unref();
      this.waiter = {
        resolve: (f) => (clearTimeout(timer), resolve(f)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
    });
  }

  /** As the side that accepted: challenge, check the peer's proof and hello, prove ourselves. Returns its hello. */
  async accept(token: Buffer, me: number, size: number, expect: (rank: number) => boolean): Promise<Hello> {
    const mine = nonce();
    this.send(FRAME.challenge, 0, mine);
    const f = await this.next(HANDSHAKE_MS, 'a hello');
    if (f.type !== FRAME.hello) throw new Error(`expected a hello, got a frame of type ${f.type}`);
    const h = parseHello(f.payload);
    const theirs = Buffer.from(h.nonce, 'hex');
    const want = proof(token, 'hello', mine, theirs, h.rank, h.size, h.host, h.port);
    if (!sameProof(Buffer.from(h.proof, 'hex'), want)) throw new Error('its proof does not match this job\'s token');
    if (h.size !== size) throw new Error(`rank ${h.rank} says the job has ${h.size} ranks; this rank was told ${size}`);
    if (!expect(h.rank)) throw new Error(`rank ${h.rank} is not one this rank expects a connection from`);
    this.send(FRAME.welcome, 0, proof(token, 'welcome', theirs, mine, me));
    this.authenticated(h.rank);
    return { rank: h.rank, size: h.size, host: h.host, port: h.port };
  }

  /** As the side that connected to rank `to`: answer its challenge with our hello, check its proof. */
  async greet(token: Buffer, hello: Hello, to: number): Promise<void> {
    const f = await this.next(HANDSHAKE_MS, `rank ${to}'s challenge`);
    if (f.type !== FRAME.challenge || f.payload.length !== 32) throw new Error(`rank ${to} did not send a challenge`);
    const mine = nonce();
    const p = proof(token, 'hello', f.payload, mine, hello.rank, hello.size, hello.host, hello.port);
    this.send(FRAME.hello, 0, Buffer.from(JSON.stringify({ ...hello, nonce: mine.toString('hex'), proof: p.toString('hex') })));
    const w = await this.next(HANDSHAKE_MS, `rank ${to}'s welcome`).catch((e: Error) => {
      throw new Error(`rank ${to} refused this rank's hello (${e.message}): does every rank have the same token and world size?`);
    });
    if (w.type !== FRAME.welcome || !sameProof(w.payload, proof(token, 'welcome', mine, f.payload, to))) {
      throw new Error(`the process at ${this.address} did not prove it holds this job's token (is another job using the address?)`);
    }
    this.authenticated(to);
  }

  /** Ends the connection with a goodbye (the peer will not count the close as a fault). */
  close(): void {
    this.goodbye = true;
    this.send(FRAME.bye, 0);
    this.socket.end();
  }

  /** Ends the connection at once, quietly. */
  destroy(): void {
    this.goodbye = true;
    this.socket.destroy();
  }

  private authenticated(peer: number): void {
    this.peer = peer;
    this.reader.limit = MAX_FRAME;
    this.lastHeard = Date.now();
  }

  private received(chunk: Buffer): void {
    this.lastHeard = Date.now();
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      this.fail(`sent ${(e as Error).message}`);
      return;
    }
    for (const f of frames) {
      if (f.type === FRAME.heartbeat) continue;
      if (f.type === FRAME.bye) {
        this.goodbye = true;
        continue;
      }
      if (f.type === FRAME.abort && this.peer >= 0) {
        this.goodbye = true;
        const a = parseAbort(f.payload, this.peer);
        this.onFault(a.origin, a.message);
        continue;
      }
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w.resolve(f);
      } else this.frames.push(f);
    }
  }

  private fail(message: string): void {
    if (this.failed) return;
    this.failed = new Error(message);
    if (this.peer >= 0) this.onFault(this.peer, message);
    this.waiter?.reject(this.failed);
    this.waiter = null;
    this.socket.destroy();
  }
}

/** A hello's fields, each checked: a stranger's hello is untrusted input. */
function parseHello(payload: Buffer): Hello & { nonce: string; proof: string } {
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new Error('its hello is not JSON');
  }
  const int = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 31;
  const hex = (v: unknown) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
  if (typeof h !== 'object' || h === null || !int(h.rank) || !int(h.size) || !int(h.port) || typeof h.host !== 'string' || h.host.length > 255 || !hex(h.nonce) || !hex(h.proof)) {
    throw new Error('its hello is malformed');
  }
  return h as unknown as Hello & { nonce: string; proof: string };
}

/** An abort's origin and message (a malformed one is blamed on the sender). */
function parseAbort(payload: Buffer, from: number): { origin: number; message: string } {
  try {
    const a = JSON.parse(payload.toString('utf8')) as { origin?: unknown; message?: unknown };
    if (Number.isInteger(a.origin) && typeof a.message === 'string') return { origin: a.origin as number, message: a.message.slice(0, 4000) };
  } catch { /* fall through */ }
  return { origin: from, message: 'sent a malformed abort' };
}
