// Length-prefixed frames on a TCP byte stream: [u32 LE length of what follows][u8 type][u32 LE tag][payload]. The
// reader checks a frame's length against its limit before it allocates anything (4 KiB until the peer has proved it
// holds the job's token, then MAX_FRAME), so a stranger's 4 GB length prefix costs nothing, and a short, oversized or
// unknown frame is a FrameError with what was wrong — never a crash or a hang.

/** Frame types: the handshake (challenge, hello, welcome), the address table, data, and the connection's upkeep. */
export const FRAME = { challenge: 1, hello: 2, welcome: 3, table: 4, data: 5, heartbeat: 6, abort: 7, bye: 8 } as const;

/** Bytes of the header before the payload: length (4), type (1), tag (4). */
export const HEADER_BYTES = 9;
/** The largest frame from a peer that has not proved it holds the token. */
export const HELLO_LIMIT = 4096;
/** The largest frame between ranks: a gradient of 2^27 f64 values, or the R factor of ~11 000 features. */
export const MAX_FRAME = 1 << 30;

const KNOWN = new Set<number>(Object.values(FRAME));

/** One decoded frame. */
export interface Frame {
  type: number;
  tag: number;
  payload: Buffer;
}

/** A frame that breaks the protocol (its message says how). */
export class FrameError extends Error {
  override name = 'FrameError';
}

/** A frame's bytes (the payload copied, so the caller may reuse its array at once). */
export function encodeFrame(type: number, tag: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  if (payload.byteLength + HEADER_BYTES - 4 > MAX_FRAME) throw new FrameError(`a message of ${payload.byteLength} bytes exceeds the frame limit of ${MAX_FRAME} bytes`);
  const b = Buffer.allocUnsafe(HEADER_BYTES + payload.byteLength);
  b.writeUInt32LE(HEADER_BYTES - 4 + payload.byteLength, 0);
  b[4] = type;
  b.writeUInt32LE(tag >>> 0, 5);
  b.set(payload, HEADER_BYTES);
  return b;
}

/** Cuts a byte stream into frames, each checked against `limit` before its bytes are gathered. */
export class FrameReader {
  private parts: Buffer[] = [];
  private have = 0;

  constructor(public limit: number) {}

  /** Adds received bytes; returns the frames they complete. Throws FrameError on a malformed frame. */
  push(chunk: Buffer): Frame[] {
    this.parts.push(chunk);
    this.have += chunk.length;
    const out: Frame[] = [];
    while (this.have >= 4) {
      const length = this.peekLength();
      if (length < HEADER_BYTES - 4) throw new FrameError(`a frame of ${length} bytes (a frame holds at least ${HEADER_BYTES - 4})`);
      if (length > this.limit) throw new FrameError(`a frame of ${length} bytes, over the limit of ${this.limit}`);
      if (this.have < 4 + length) break;
      const b = this.take(4 + length);
      const type = b[4];
      if (!KNOWN.has(type)) throw new FrameError(`a frame of unknown type ${type}`);
      out.push({ type, tag: b.readUInt32LE(5), payload: b.subarray(HEADER_BYTES) });
    }
    return out;
  }

  private peekLength(): number {
    const first = this.parts[0];
    if (first.length >= 4) return first.readUInt32LE(0);
    return Buffer.concat(this.parts, 4).readUInt32LE(0);
  }

  private take(n: number): Buffer {
    const all = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.have);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.parts = rest.length ? [rest] : [];
    this.have = rest.length;
    return out;
  }
}
