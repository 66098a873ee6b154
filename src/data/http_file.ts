// A file on an HTTP server, read the way the readers read a browser File: its size from a HEAD request, byte
// ranges with HTTP range requests (the first bytes to sniff and preview, a Parquet footer and column chunks), and a
// whole pass as the response body of a GET, streamed. So a CSV or Parquet file is trained from a URL without being
// downloaded first. Only fetch: browser-safe (and Node ≥ 18).
import { DataError } from './csv';

/** A readable byte range: what Blob.slice gives (arrayBuffer, text). */
export interface ByteRange {
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}

/** What the readers need of a file: its name and size, byte ranges, and a stream of all its bytes. */
export interface ByteFile {
  readonly name: string;
  readonly size: number;
  slice(start: number, end?: number): ByteRange;
  stream(): ReadableStream<Uint8Array>;
}

/** The last segment of a URL's path ("data.csv"), or the host when it has none. */
export function urlName(url: string): string {
  const u = new URL(url, 'http://x/');
  return decodeURIComponent(u.pathname.split('/').filter(Boolean).pop() ?? u.host) || u.host;
}

/** A file on an HTTP(S) server. */
export class HttpFile implements ByteFile {
  private constructor(readonly url: string, readonly name: string, readonly size: number, private readonly init: RequestInit) {}

  /** Asks the server for the file's size (HEAD; a server that does not answer HEAD is asked for byte 0). */
  static async open(url: string, init: RequestInit = {}): Promise<HttpFile> {
    const name = urlName(url);
    let res: Response;
    try {
      res = await fetch(url, { ...init, method: 'HEAD' });
    } catch (e) {
      throw new DataError(url, null, null, `could not be fetched (${(e as Error).message}): check the address, and that its server allows this page to read it (CORS)`);
    }
    if (!res.ok) throw new DataError(url, null, null, `the server answered ${res.status} ${res.statusText}`.trim());
    let size = Number(res.headers.get('content-length'));
    if (!Number.isFinite(size) || res.headers.get('content-length') === null) {
      const probe = await fetch(url, { ...init, headers: { Range: 'bytes=0-0' } });
      size = Number(/\/(\d+)$/.exec(probe.headers.get('content-range') ?? '')?.[1]);
      await probe.body?.cancel();
      if (!Number.isFinite(size)) throw new DataError(url, null, null, 'the server does not say how large the file is (no Content-Length or Content-Range)');
    }
    return new HttpFile(url, name, size, init);
  }

  slice(start: number, end = this.size): ByteRange {
    const from = Math.max(0, Math.min(start, this.size));
    const to = Math.max(from, Math.min(end, this.size));
    const bytes = () => this.range(from, to);
    return {
      arrayBuffer: async () => (await bytes()).buffer as ArrayBuffer,
      text: async () => new TextDecoder().decode(await bytes()),
    };
  }

  /** Bytes [from, to) by a range request; a server that sends the whole file instead is read up to `to`. */
  private async range(from: number, to: number): Promise<Uint8Array> {
    if (to <= from) return new Uint8Array(0);
    const res = await fetch(this.url, { ...this.init, headers: { Range: `bytes=${from}-${to - 1}` } });
    if (!res.ok) throw new DataError(this.name, null, null, `the server answered ${res.status} ${res.statusText} to a range request`.trim());
    if (res.status === 206) return new Uint8Array(await res.arrayBuffer());
    // 200: the whole body; keep [from, to) and stop reading there.
    const out = new Uint8Array(to - from);
    const reader = res.body!.getReader();
    let at = 0;
    try {
      while (at < to) {
        const { done, value } = await reader.read();
        if (done) break;
        const lo = Math.max(0, from - at);
        const hi = Math.min(value.length, to - at);
        if (hi > lo) out.set(value.subarray(lo, hi), at + lo - from);
        at += value.length;
      }
    } finally {
      reader.cancel().catch(() => undefined);
    }
    return out;
  }

  /** The whole file as a stream (one GET per pass). */
  stream(): ReadableStream<Uint8Array> {
    const { url, init, name } = this;
    let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!reader) {
          const res = await fetch(url, init);
          if (!res.ok || !res.body) throw new DataError(name, null, null, `the server answered ${res.status} ${res.statusText}`.trim());
          reader = res.body.getReader();
        }
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: () => reader?.cancel(),
    });
  }
}
