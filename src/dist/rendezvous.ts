// How the ranks find each other. Rank 0 listens at the master address — only there — and every other rank
// connects to it (retrying while rank 0 starts), proves it holds the job's token and says where it listens: on
// the interface it reached rank 0 through, at a port the system picks. Once all have come, rank 0 sends each the
// table of addresses and stops listening; each rank then connects to its lower neighbours (ring and tree,
// collective.ts) and accepts its higher ones, authenticating both ways again. Strangers are refused and named.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { neighbours, PeerCollective, type Collective } from '../train/collective';
import { Conn, type Hello } from './conn';
import { FRAME } from './frames';
import { TcpTransport, type RankError, type Timing } from './tcp';

/** Where this rank is in the job and where rank 0 listens. */
export interface RankPlace {
  rank: number;
  size: number;
  masterAddr: string;
  masterPort: number;
  /** Where rank 0 binds (default: the master address itself). */
  bindAddr: string | null;
}

/** The secrets, limits and reporting of a connection attempt. */
export interface ConnectOptions {
  token: Buffer;
  timing: Timing;
  /** How long ranks wait for each other to start and connect, in ms. */
  rendezvousTimeout: number;
  /** Told of refused strangers (the run goes on). */
  warn: (message: string) => void;
  /** Told of the first fault after the ranks have met (see TcpTransport). */
  onFault?: (e: RankError) => void;
}

const RETRY_MS = 200;
const RETRYABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EADDRNOTAVAIL']);

/** Joins the job: returns this rank's collective once it is connected to its neighbours. */
export async function connectRanks(place: RankPlace, o: ConnectOptions): Promise<Collective> {
  const conns = place.size === 1 ? new Map<number, Conn>() : place.rank === 0 ? await asMaster(place, o) : await asWorker(place, o);
  return new PeerCollective(new TcpTransport(place.rank, place.size, conns, o.timing, o.onFault));
}

const where = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** Rank 0: accept every other rank at the master address, then send each the address table. */
async function asMaster(place: RankPlace, o: ConnectOptions): Promise<Map<number, Conn>> {
  const { size, masterPort } = place;
  const bind = place.bindAddr ?? place.masterAddr;
  const server = createServer();
  await listen(server, masterPort, bind, Date.now() + o.rendezvousTimeout, 'rank 0');
  const joined = new Map<number, { conn: Conn; hello: Hello }>();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const missing = Array.from({ length: size - 1 }, (_, i) => i + 1).filter((r) => !joined.has(r));
        reject(new Error(`rank 0 waited ${Math.round(o.rendezvousTimeout / 1000)} s at ${where(bind, masterPort)} for rank(s) ${missing.join(', ')} to connect`));
      }, o.rendezvousTimeout);
      server.on('connection', (socket: Socket) => {
        const conn = new Conn(socket);
        conn.accept(o.token, 0, size, (r) => r >= 1 && r < size && !joined.has(r)).then((hello) => {
          joined.set(hello.rank, { conn, hello });
          if (joined.size < size - 1) return;
          clearTimeout(timer);
          resolve();
        }, (e: Error) => {
          o.warn(`refused a connection from ${conn.address}: ${e.message}`);
          conn.destroy();
        });
      });
    });
  } catch (e) {
    for (const { conn } of joined.values()) conn.destroy();
    throw e;
  } finally {
    server.close();
  }
  const table = JSON.stringify(Array.from({ length: size }, (_, r) => (r === 0 ? { host: bind, port: masterPort } : { host: joined.get(r)!.hello.host, port: joined.get(r)!.hello.port })));
  for (const { conn } of joined.values()) conn.send(FRAME.table, 0, Buffer.from(table));
  return new Map([...joined].map(([r, { conn }]) => [r, conn]));
}

/** Any other rank: join rank 0, learn the table, connect the neighbours. */
async function asWorker(place: RankPlace, o: ConnectOptions): Promise<Map<number, Conn>> {
  const { rank, size } = place;
  const deadline = Date.now() + o.rendezvousTimeout;
  const master = await connectRetry(place.masterAddr, place.masterPort, deadline, 'rank 0');
  // Higher neighbours may connect as soon as rank 0 sends the table, before this rank has read it: queue them.
  const arrived: Socket[] = [];
  let onArrival: ((s: Socket) => void) | null = null;
  const server = createServer((s) => (onArrival ? onArrival(s) : arrived.push(s)));
  const conns = new Map<number, Conn>([[0, master]]);
  try {
    await listen(server, 0, master.socket.localAddress!, deadline, `rank ${rank}`);
    const hello: Hello = { rank, size, host: master.socket.localAddress!, port: (server.address() as { port: number }).port };
    await master.greet(o.token, hello, 0);
    const f = await master.next(Math.max(1, deadline - Date.now()), "rank 0's address table (the other ranks have not all connected)");
    if (f.type !== FRAME.table) throw new Error(`rank 0 sent a frame of type ${f.type} instead of the address table`);
    const table = parseTable(f.payload, size);
    const peers = neighbours(rank, size).filter((q) => q !== 0);
    const higher = peers.filter((q) => q > rank);
    const accepted = acceptPeers(higher, place, o, deadline, (take) => {
      onArrival = take;
      arrived.splice(0).forEach(take);
    });
    for (const q of peers.filter((p) => p < rank)) {
      const c = await connectRetry(table[q].host, table[q].port, deadline, `rank ${q}`);
      conns.set(q, c);
      await c.greet(o.token, hello, q);
    }
    for (const [q, c] of await accepted) conns.set(q, c);
    return conns;
  } catch (e) {
    for (const c of conns.values()) c.destroy();
    throw e;
  } finally {
    server.close();
  }
}

/** Accepts connections from the ranks in `from` (strangers refused with a warning) until all have come. */
function acceptPeers(
  from: number[], place: RankPlace, o: ConnectOptions, deadline: number, listen: (take: (s: Socket) => void) => void,
): Promise<Map<number, Conn>> {
  const { rank, size } = place;
  const got = new Map<number, Conn>();
  if (!from.length) {
    listen((s) => s.destroy());
    return Promise.resolve(got);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rank ${rank} waited for rank(s) ${from.filter((q) => !got.has(q)).join(', ')} to connect`)), Math.max(1, deadline - Date.now()));
    listen((socket: Socket) => {
      const conn = new Conn(socket);
      conn.accept(o.token, rank, size, (q) => from.includes(q) && !got.has(q)).then((h) => {
        got.set(h.rank, conn);
        if (got.size === from.length) {
          clearTimeout(timer);
          resolve(got);
        }
      }, (e: Error) => {
        o.warn(`rank ${rank} refused a connection from ${conn.address}: ${e.message}`);
        conn.destroy();
      });
    });
  });
}

/** Listens at host:port, retrying while the address is not (yet) this machine's or its name does not resolve. */
async function listen(server: Server, port: number, host: string, deadline: number, who: string): Promise<void> {
  for (;;) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code === 'EADDRINUSE') throw new Error(`${who} cannot listen at ${where(host, port)}: the port is in use (another job? set DOWNHILL_MASTER_PORT)`);
      if (!RETRYABLE.has(code) || Date.now() > deadline) throw new Error(`${who} cannot listen at ${where(host, port)}: ${code || (e as Error).message}`);
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}

/** Connects to host:port, retrying while the peer is not up yet, until the deadline. */
async function connectRetry(host: string, port: number, deadline: number, who: string): Promise<Conn> {
  for (;;) {
    const r = await new Promise<Socket | NodeJS.ErrnoException>((resolve) => {
      const s = connect({ host, port });
      s.once('connect', () => {
        s.off('error', resolve);
        resolve(s);
      });
      s.once('error', resolve);
    });
    if (!(r instanceof Error)) return new Conn(r);
    if (!RETRYABLE.has(r.code ?? '') || Date.now() > deadline) {
      throw new Error(`cannot reach ${who} at ${where(host, port)}: ${r.code ?? r.message}${Date.now() > deadline ? ' (gave up waiting for it to start)' : ''}`);
    }
    await new Promise((res) => setTimeout(res, RETRY_MS));
  }
}

/** Rank 0's table of where each rank listens, checked. */
function parseTable(payload: Buffer, size: number): { host: string; port: number }[] {
  const t = JSON.parse(payload.toString('utf8')) as unknown;
  const ok = Array.isArray(t) && t.length === size && t.every((e) => typeof e?.host === 'string' && Number.isInteger(e?.port) && e.port >= 0 && e.port < 65536);
  if (!ok) throw new Error(`rank 0 sent a malformed address table`);
  return t as { host: string; port: number }[];
}
