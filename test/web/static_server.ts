// A tiny static file server for the built page (dist-web) on 127.0.0.1 and a random port, for the
// browser tests. It serves files under one folder only (and, for a test, files held in memory at given paths), with
// the MIME types module scripts need, HEAD and byte-range requests (as `npm run preview` answers them: a page reads
// a file from a URL with range requests), and by default with the cross-origin isolation headers `npm run preview`
// sends (the CPU worker's threads need them).
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.wasm': 'application/wasm',
  '.wgsl': 'text/plain; charset=utf-8', '.map': 'application/json', '.csv': 'text/csv',
};

/** A request as the server saw it: "GET /data/x.csv bytes=0-65535" (the Range header last, when there was one). */
export type SeenRequest = string;

/** A running server: its origin, the requests it answered, and how to stop it. */
export interface StaticServer {
  origin: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** The bytes a request asks for: all of them, or one range ("bytes=a-b", "bytes=a-", "bytes=-n"); null when unsatisfiable. */
function byteRange(header: string | undefined, size: number): [number, number] | 'all' | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return 'all';
  const [from, to] = m[1] === '' ? [Math.max(0, size - Number(m[2])), size - 1] : [Number(m[1]), m[2] === '' ? size - 1 : Math.min(size - 1, Number(m[2]))];
  return from <= to && from < size ? [from, to] : null;
}

/**
 * Serves `root` on 127.0.0.1 at a free port (`isolated: false` leaves out COOP/COEP, as a plain host would); `files`
 * adds files held in memory by path ("/data/x.csv"); `ranges: false` answers every request with the whole file.
 */
export async function serveStatic(root: string, o: { isolated?: boolean; files?: Record<string, Uint8Array>; ranges?: boolean } = {}): Promise<StaticServer> {
  const isolation = o.isolated === false ? {} : ISOLATION;
  const base = resolve(root);
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push([req.method, path, req.headers.range].filter(Boolean).join(' '));
    const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
    let body: Uint8Array | null = o.files?.[path] ?? null;
    try {
      if (!body && file.startsWith(base + sep) && statSync(file).isFile()) body = readFileSync(file);
    } catch {
      body = null;
    }
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const headers = { 'content-type': TYPES[extname(o.files?.[path] ? path : file)] ?? 'application/octet-stream', 'cache-control': 'no-store', 'accept-ranges': 'bytes', ...isolation };
    const range = o.ranges === false ? 'all' : byteRange(req.headers.range, body.length);
    if (range === null) {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    const [from, to] = range === 'all' ? [0, body.length - 1] : range;
    res.writeHead(range === 'all' ? 200 : 206, {
      ...headers, 'content-length': String(to - from + 1), ...(range === 'all' ? {} : { 'content-range': `bytes ${from}-${to}/${body.length}` }),
    });
    res.end(req.method === 'HEAD' ? undefined : body.subarray(from, to + 1));
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
