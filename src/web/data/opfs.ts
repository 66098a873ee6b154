// The page's storage in the origin-private file system (OPFS, navigator.storage.getDirectory()), under "downhill/":
// parsed data as ".dh" caches (src/data/cache_blob.ts; rows with a sparse block, hashed text columns, stored encoded:
// cache_csr_blocks.ts), so a file is parsed once and a run resumed after a reload
// finds its data; and small text files (a run's record and checkpoints: runs/saved_run.ts). A cache is written by a
// training worker during the first complete pass over a source (a sync access handle writes at offsets), under a
// name of its own, and its index entry (the data's key → that file, its labels and skipped rows) is written after,
// atomically: a half-written cache is never found. The cache keeps the rows of the CACHE_KEEP files used last (a
// parsed copy of a large file is large): a new cache removes the others, and any .dh file no entry names (one a closed
// tab left half-written; one another worker is writing is locked by its handle and stays). Where OPFS is missing
// (Node tests, old browsers) nothing is cached and nothing fails.
import { crc32 } from '../../core/checksum';
import type { HostChunk } from '../../core/dataset';
import { BlobCacheWriter, CacheBlobSource } from '../../data/cache_blob';
import { CsrBlobSource } from '../../data/cache_csr_blob';
import { CsrBlockWriter } from '../../data/cache_csr_blocks';
import { cacheHeaderSize, CACHE_PREFIX_BYTES, decodeCacheHeader } from '../../data/cache_format';
import type { DataSource, ReadOptions } from '../../data/source';

const DIR = 'downhill';

/** The page's OPFS folder, or null where there is none. */
async function folder(): Promise<FileSystemDirectoryHandle | null> {
  try {
    if (typeof navigator === 'undefined' || !navigator.storage?.getDirectory) return null;
    return await (await navigator.storage.getDirectory()).getDirectoryHandle(DIR, { create: true });
  } catch {
    return null;
  }
}

/** A stored text file, or null. */
export async function readText(name: string): Promise<string | null> {
  try {
    const dir = await folder();
    return dir ? await (await (await dir.getFileHandle(name)).getFile()).text() : null;
  } catch {
    return null;
  }
}

/** Stores a text file, replacing it at once (a writable stream commits on close); false where there is no OPFS. */
export async function writeText(name: string, text: string): Promise<boolean> {
  const dir = await folder();
  if (!dir) return false;
  const w = await (await dir.getFileHandle(name, { create: true })).createWritable();
  await w.write(text);
  await w.close();
  return true;
}

/** Removes stored files (those missing are fine). */
export async function remove(...names: string[]): Promise<void> {
  const dir = await folder();
  for (const n of names) await dir?.removeEntry(n).catch(() => undefined);
}

/** The stored files' names. */
export async function listNames(): Promise<string[]> {
  const dir = await folder();
  const out: string[] = [];
  if (dir) for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) out.push(name);
  return out;
}

/** How many files' parsed rows the cache keeps: those used last. */
export const CACHE_KEEP = 4;

/** A cache's index entry: the data's key, its file, what the source knew beside its rows, and when it was last used. */
interface CacheEntry {
  key: string;
  file: string;
  description: string;
  labels?: string[];
  skipped?: number;
  used?: number;
}

const ENTRY = /^data-.*\.json$/;
const ROWS = /^data-.*\.dh$/;

const entryName = (key: string) => `data-${crc32(new TextEncoder().encode(key)).toString(16)}-${key.length}.json`;

/** The cached rows of a data key as a source, or null when they are not cached. */
export async function openCachedData(key: string): Promise<((CacheBlobSource | CsrBlobSource) & { skipped?: number }) | null> {
  const text = await readText(entryName(key));
  if (!text) return null;
  try {
    const e = JSON.parse(text) as CacheEntry;
    if (e.key !== key) return null;
    const dir = (await folder())!;
    const blob = await (await dir.getFileHandle(e.file)).getFile();
    const h = decodeCacheHeader(e.description, new Uint8Array(await blob.slice(0, cacheHeaderSize(e.description, new Uint8Array(await blob.slice(0, CACHE_PREFIX_BYTES).arrayBuffer()))).arrayBuffer()), blob.size);
    // Rows with a sparse block (hashed text columns) are stored encoded (layout 3), so they are neither parsed nor hashed again.
    const src = h.sparse ? await CsrBlobSource.open(blob, e.description, e.labels, h) : await CacheBlobSource.open(blob, e.description, e.labels);
    await writeText(entryName(key), JSON.stringify({ ...e, used: Date.now() })).catch(() => false);
    return Object.assign(src, { skipped: e.skipped ?? 0 });
  } catch {
    return null;
  }
}

/**
 * Keeps the caches of the `keep` data used last and removes the rest, with every .dh file no kept entry names (a file
 * a worker is still writing is locked by its sync access handle: its removal fails and it stays).
 */
export async function pruneCache(keep = CACHE_KEEP): Promise<void> {
  const names = await listNames();
  const entries: { name: string; e: CacheEntry }[] = [];
  for (const name of names.filter((n) => ENTRY.test(n))) {
    try {
      entries.push({ name, e: JSON.parse((await readText(name)) ?? '') as CacheEntry });
    } catch {
      await remove(name);
    }
  }
  entries.sort((a, b) => (b.e.used ?? 0) - (a.e.used ?? 0));
  await remove(...entries.slice(keep).map((x) => x.name));
  const kept = new Set(entries.slice(0, keep).map((x) => x.e.file));
  await remove(...names.filter((n) => ROWS.test(n) && !kept.has(n)));
}

type SyncHandle = { write(b: Uint8Array, o: { at: number }): number; flush(): void; close(): void };

/** Writes one pass of a source into a new cache file, then its index entry; yields the chunks as they go by. */
async function* writeThrough(key: string, source: DataSource, pass: AsyncIterable<HostChunk>, done: (ok: boolean) => void): AsyncGenerator<HostChunk> {
  const dir = await folder();
  const file = `data-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}.dh`;
  let handle: SyncHandle | null = null;
  try {
    const fh = await dir!.getFileHandle(file, { create: true });
    handle = await (fh as unknown as { createSyncAccessHandle(): Promise<SyncHandle> }).createSyncAccessHandle();
  } catch {
    await remove(file);
    done(false);
    yield* pass;
    return;
  }
  const h = handle;
  const sink = { write: (b: Uint8Array, at: number) => void h.write(b, { at }) };
  const s = source.sparse;
  const writer = s
    ? new CsrBlockWriter(sink, file, source.features, source.target, { width: s.width, encoding: s.encoding, values: s.encoding.format === 'columns' ? 'indicator' : 'f32' })
    : new BlobCacheWriter(sink, source.features, source.target);
  let ok = false;
  try {
    for await (const c of pass) {
      await writer.write(c);
      yield c;
    }
    await writer.finish();
    h.flush();
    ok = true;
  } finally {
    h.close();
    if (ok) {
      const entry: CacheEntry = {
        key, file, description: source.description, ...(source.targetLabels ? { labels: [...source.targetLabels] } : {}), skipped: source.skipped ?? 0, used: Date.now(),
      };
      ok = await writeText(entryName(key), JSON.stringify(entry)).catch(() => false);
    }
    if (!ok) await remove(file);
    else await pruneCache().catch(() => undefined);
    done(ok);
  }
}

/**
 * A source whose first complete pass is also written into the cache under `key` (in a worker, where sync access
 * handles exist); later passes, and everything when OPFS is missing, read the source as it is.
 */
export function cachingSource(key: string, source: DataSource): DataSource {
  let state: 'idle' | 'writing' | 'done' = 'idle';
  // Sync access handles exist in dedicated workers only (where `document` does not).
  const canWrite = typeof document === 'undefined' && typeof navigator !== 'undefined' && !!navigator.storage?.getDirectory;
  const wrapped: DataSource = Object.create(source) as DataSource;
  return Object.assign(wrapped, {
    read(opts?: ReadOptions) {
      if (state !== 'idle' || !canWrite) return source.read(opts);
      state = 'writing';
      return writeThrough(key, source, source.read(opts), (ok) => (state = ok ? 'done' : 'idle'));
    },
  });
}
