// The TCP ranks in one process over loopback: they meet, sum and gather like the in-process ranks; only peers that
// prove the token get in — a stranger with the wrong token, garbage or a 4 GB length prefix is refused and named
// while the run goes on; after the handshake, a malformed or oversized frame, a closed socket or a silent peer stops
// every rank with the rank at fault named, within the configured time. Rank 0 listens only at the master address.
import { createServer, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { jobToken, newToken } from '../../src/dist/auth';
import { Conn } from '../../src/dist/conn';
import { FRAME, FrameError, FrameReader, HELLO_LIMIT } from '../../src/dist/frames';
import { connectRanks, type ConnectOptions } from '../../src/dist/rendezvous';
import type { Collective } from '../../src/train/collective';

const TOKEN = Buffer.from(newToken());
const FAST = { heartbeat: 50, peerTimeout: 600, opTimeout: 5000 };
const open: Collective[] = [];
const sockets: Socket[] = [];

afterEach(() => {
  for (const c of open.splice(0)) c.abort('test over');
  for (const s of sockets.splice(0)) s.destroy();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** `size` TCP ranks of one job in this process; `warnings` collects what they refused. */
async function ranks(size: number, port: number, o: Partial<ConnectOptions> = {}, tokenOf = (_r: number) => TOKEN) {
  const warnings: string[] = [];
  const faults: string[] = [];
  const all = await Promise.all(Array.from({ length: size }, (_, rank) => connectRanks(
    { rank, size, masterAddr: '127.0.0.1', masterPort: port, bindAddr: null },
    { token: tokenOf(rank), timing: FAST, rendezvousTimeout: 5000, warn: (m) => warnings.push(m), onFault: (e) => faults.push(e.message), ...o },
  )));
  open.push(...all);
  return { all, warnings, faults };
}

describe('frames', () => {
  it('are refused by their length before anything is allocated: short, over the limit, unknown type', () => {
    const header = (len: number, type: number = FRAME.data) => {
      const b = Buffer.alloc(9);
      b.writeUInt32LE(len, 0);
      b[4] = type;
      return b;
    };
    expect(() => new FrameReader(HELLO_LIMIT).push(header(0xffffffff))).toThrow(new FrameError('a frame of 4294967295 bytes, over the limit of 4096'));
    expect(() => new FrameReader(HELLO_LIMIT).push(header(2))).toThrow(/a frame of 2 bytes/);
    expect(() => new FrameReader(HELLO_LIMIT).push(header(5, 99))).toThrow(/unknown type 99/);
    // A frame split across many small chunks comes out whole once.
    const r = new FrameReader(HELLO_LIMIT);
    const f = Buffer.concat([header(8), Buffer.from([1, 2, 3])]);
    const got = [...f].flatMap((b) => r.push(Buffer.of(b)));
    expect(got.map((x) => [...x.payload])).toEqual([[1, 2, 3]]);
  });
});

describe('tokens', () => {
  it('come from a file or the environment, never short', () => {
    expect(() => jobToken({})).toThrow(/DOWNHILL_TOKEN_FILE/);
    expect(() => jobToken({ DOWNHILL_TOKEN: 'short' })).toThrow(/at least 16/);
    expect(() => jobToken({ DOWNHILL_TOKEN_FILE: '/nonexistent/token' })).toThrow(/cannot read the token \(ENOENT\)/);
    expect(jobToken({ DOWNHILL_TOKEN: 'x'.repeat(16) }).length).toBe(16);
  });
});

describe('TCP ranks', () => {
  it('meet and compute like the in-process ranks', async () => {
    const { all } = await ranks(4, await freePort());
    const small = await Promise.all(all.map((c) => c.allreduce(Float64Array.of(c.rank, 1))));
    for (const s of small) expect([...s]).toEqual([6, 4]);
    const n = 100_000;
    const big = await Promise.all(all.map((c) => c.allreduce(new Float64Array(n).fill(c.rank + 1))));
    for (const b of big) expect(b.every((v) => v === 10)).toBe(true);
    const names = await Promise.all(all.map((c) => c.allgather(Buffer.from(`r${c.rank}`))));
    expect(names[3].map((b) => Buffer.from(b).toString())).toEqual(['r0', 'r1', 'r2', 'r3']);
    await Promise.all(all.map((c) => c.close()));
  });

  it('refuse strangers — the wrong token, garbage, a 4 GB length prefix — and go on', async () => {
    const port = await freePort();
    const warnings: string[] = [];
    const place = (rank: number) => ({ rank, size: 2, masterAddr: '127.0.0.1', masterPort: port, bindAddr: null });
    const opts = { token: TOKEN, timing: FAST, rendezvousTimeout: 5000, warn: (m: string) => warnings.push(m) };
    const first = connectRanks(place(0), opts);
    const huge = Buffer.alloc(9);
    huge.writeUInt32LE(0xffffffff, 0);
    for (const bytes of [Buffer.from('GET / HTTP/1.1\r\n\r\n'), huge]) (await dial(port)).write(bytes);
    const stranger = new Conn(await dial(port));
    await expect(stranger.greet(Buffer.from(newToken()), { rank: 1, size: 2, host: '127.0.0.1', port: 9 }, 0)).rejects.toThrow(/token/);
    await until(() => warnings.length === 3);
    const all = await Promise.all([first, connectRanks(place(1), opts)]);
    open.push(...all);
    expect(warnings).toHaveLength(3);
    expect(warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/^refused a connection from 127\.0\.0\.1:\d+: its proof does not match this job's token$/),
      expect.stringMatching(/^refused a connection from 127\.0\.0\.1:\d+: sent a frame of 4294967295 bytes, over the limit of 4096$/),
      expect.stringMatching(/^refused a connection from 127\.0\.0\.1:\d+: sent a frame of 542393671 bytes, over the limit of 4096$/),
    ]));
    const sums = await Promise.all(all.map((c) => c.allreduce(Float64Array.of(1))));
    expect(sums.map((v) => v[0])).toEqual([2, 2]);
  });

  it('do not start with a rank holding another token', async () => {
    const port = await freePort();
    const other = Buffer.from(newToken());
    const err = await ranks(2, port, { rendezvousTimeout: 1500 }, (r) => (r === 1 ? other : TOKEN)).catch((e: Error) => e);
    expect(String(err)).toMatch(/token/);
  });

  it('rank 0 listens only at the master address: 127.0.0.2 (loopback too) is refused while 127.0.0.1 answers', async () => {
    const port = await freePort();
    const first = connectRanks({ rank: 0, size: 2, masterAddr: '127.0.0.1', masterPort: port, bindAddr: null },
      { token: TOKEN, timing: FAST, rendezvousTimeout: 5000, warn: () => undefined });
    const probe = await dial(port);
    probe.destroy();
    const elsewhere = await new Promise<string>((resolve) => {
      const c = connect({ host: '127.0.0.2', port });
      c.once('connect', () => (c.destroy(), resolve('connected')));
      c.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? String(e)));
    });
    expect(elsewhere).toBe('ECONNREFUSED');
    const second = connectRanks({ rank: 1, size: 2, masterAddr: '127.0.0.1', masterPort: port, bindAddr: null },
      { token: TOKEN, timing: FAST, rendezvousTimeout: 5000, warn: () => undefined });
    open.push(...(await Promise.all([first, second])));
  });

  describe('after the handshake, stop every rank naming the one at fault', () => {
    const cases: [string, (s: Socket) => void, RegExp][] = [
      ['a 4 GB length prefix', (s) => s.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 5, 0, 0, 0, 0])), /^stopped: rank 1 sent a frame of 4294967295 bytes, over the limit of 1073741824$/],
      ['garbage', (s) => s.write(Buffer.from([9, 0, 0, 0, 42, 1, 2, 3, 4, 5, 6, 7, 8])), /^stopped: rank 1 sent a frame of unknown type 42$/],
      ['a closed socket', (s) => s.destroy(), /^stopped: rank 1 closed its connection \(it exited, crashed or was killed\)$/],
      ['silence (no heartbeats)', () => undefined, /^stopped: rank 1 sent nothing for \d+ s \(it stalled/],
    ];
    it.each(cases)('%s', async (_what, act, message) => {
      const port = await freePort();
      const faults: string[] = [];
      const first = connectRanks({ rank: 0, size: 2, masterAddr: '127.0.0.1', masterPort: port, bindAddr: null },
        { token: TOKEN, timing: FAST, rendezvousTimeout: 5000, warn: () => undefined, onFault: (e) => faults.push(e.message) });
      const fake = new Conn(await dial(port));
      await fake.greet(TOKEN, { rank: 1, size: 2, host: '127.0.0.1', port: 9 }, 0);
      const c0 = await first;
      open.push(c0);
      expect((await fake.next(2000, 'the table')).type).toBe(FRAME.table);
      const t0 = Date.now();
      const pending = c0.allreduce(Float64Array.of(1));
      act(fake.socket);
      await expect(pending).rejects.toThrow(message);
      expect(Date.now() - t0).toBeLessThan(FAST.peerTimeout + 1500);
      expect(faults).toEqual([expect.stringMatching(message)]);
      await expect(c0.allreduce(Float64Array.of(1))).rejects.toThrow(message);
      fake.destroy();
    });
  });
});

/** A socket to port, retried until something listens there. */
async function dial(port: number): Promise<Socket> {
  for (;;) {
    const s = await new Promise<Socket | null>((resolve) => {
      const c = connect({ host: '127.0.0.1', port });
      c.once('connect', () => resolve(c));
      c.once('error', () => resolve(null));
    });
    if (s) {
      s.on('error', () => undefined);
      sockets.push(s);
      return s;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
}
