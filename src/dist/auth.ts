// The job's shared secret and the proofs ranks exchange with it. The token comes from the environment
// (DOWNHILL_TOKEN) or a file (DOWNHILL_TOKEN_FILE) — never from the command line, where other users can read it;
// `downhill launch` makes one per run, and under Open MPI the job's own random key serves when none is given. A
// connection is accepted only after each side has returned an HMAC-SHA256 of the other's fresh random nonce: the
// token itself never crosses the network, and a recorded handshake cannot be replayed.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Shortest token accepted, in bytes. */
const MIN_TOKEN_BYTES = 16;

/** Why no token could be found, and how to give one. */
export class TokenError extends Error {
  override name = 'TokenError';
}

/**
 * The job's token: DOWNHILL_TOKEN_FILE's contents (trimmed), else DOWNHILL_TOKEN, else `fallback` (a launcher's own
 * per-job secret). Throws TokenError saying how to set one.
 */
export function jobToken(env: NodeJS.ProcessEnv, fallback: string | null = null): Buffer {
  const file = env.DOWNHILL_TOKEN_FILE;
  let text: string | null = null;
  let from = '';
  if (file) {
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new TokenError(`DOWNHILL_TOKEN_FILE=${file}: cannot read the token (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    from = `DOWNHILL_TOKEN_FILE (${file})`;
  } else if (env.DOWNHILL_TOKEN) {
    [text, from] = [env.DOWNHILL_TOKEN, 'DOWNHILL_TOKEN'];
  } else if (fallback) {
    [text, from] = [fallback, "the launcher's job key"];
  }
  if (text === null) {
    throw new TokenError('a distributed run needs a shared token so that only its own ranks can join: set DOWNHILL_TOKEN_FILE to a file ' +
      'every rank can read (e.g. head -c 32 /dev/urandom | base64 > token; chmod 600 token), or DOWNHILL_TOKEN, in every rank\'s environment');
  }
  const token = Buffer.from(text, 'utf8');
  if (token.length < MIN_TOKEN_BYTES) throw new TokenError(`${from}: the token has ${token.length} bytes; use at least ${MIN_TOKEN_BYTES} random bytes`);
  return token;
}

/** A fresh token for one run (what `downhill launch` gives its ranks). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A fresh nonce for one handshake. */
export function nonce(): Buffer {
  return randomBytes(32);
}

/** HMAC-SHA256 under the token of a label and its parts, each length-prefixed so no two part lists collide. */
export function proof(token: Buffer, label: string, ...parts: (Buffer | string | number)[]): Buffer {
  const h = createHmac('sha256', token);
  for (const p of [label, ...parts]) {
    const b = Buffer.isBuffer(p) ? p : Buffer.from(String(p), 'utf8');
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32BE(b.length, 0);
    h.update(len).update(b);
  }
  return h.digest();
}

/** Whether a proof a peer sent equals the expected one (constant time). */
export function sameProof(got: Buffer, expected: Buffer): boolean {
  return got.length === expected.length && timingSafeEqual(got, expected);
}
