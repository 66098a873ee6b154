// The page's side of the scan worker (scan_worker.ts): one worker per job (a file's preview, or the scan of data),
// ended when the job ends or is aborted (new data was chosen), so a stale scan stops at once instead of reading on.
import { fromErrorMessage, type ErrorMessage } from '../runs/protocol';
import type { DataSpec, Scan } from './datasets';
import type { FilePreview } from './files';

/** Page → scan worker: scan data, or preview a file's columns (a Parquet row group is decoded there). */
export type ToScan = { type: 'scan'; spec: DataSpec; fitBias: boolean; classes: boolean } | { type: 'preview'; file: File; yFile?: File };

/** Scan worker → page: rows read so far, the scan or the preview, or why it failed. */
export type FromScan =
  | { type: 'rows'; rows: number }
  | { type: 'done'; scan: Scan }
  | { type: 'preview'; preview: FilePreview }
  | { type: 'error'; error: ErrorMessage };

/** Runs one job in a new worker; rejects with the worker's error (its message as the reader wrote it), or on abort. */
function inWorker<T>(job: ToScan, o: { signal?: AbortSignal; onRows?: (rows: number) => void }, result: (m: FromScan) => T | undefined): Promise<T> {
  const worker = new Worker(new URL('./scan_worker.ts', import.meta.url), { type: 'module', name: `downhill ${job.type}` });
  return new Promise<T>((resolve, reject) => {
    const end = (settle: () => void) => {
      worker.terminate();
      settle();
    };
    o.signal?.addEventListener('abort', () => end(() => reject(new DOMException('the scan was replaced', 'AbortError'))), { once: true });
    worker.onmessage = (e: MessageEvent<FromScan>) => {
      const m = e.data;
      const r = result(m);
      if (m.type === 'rows') o.onRows?.(m.rows);
      else if (m.type === 'error') end(() => reject(fromErrorMessage(m.error)));
      else if (r !== undefined) end(() => resolve(r));
    };
    worker.onerror = (e) => end(() => reject(new Error(`the data could not be read: ${e.message || 'its worker failed'}`)));
    worker.postMessage(job);
  });
}

/** Scans data in a worker. */
export function scanInWorker(job: Omit<Extract<ToScan, { type: 'scan' }>, 'type'>, o: { signal: AbortSignal; onRows?: (rows: number) => void }): Promise<Scan> {
  return inWorker({ type: 'scan', ...job }, o, (m) => (m.type === 'done' ? m.scan : undefined));
}

/** A file's columns and their profile (files.ts's previewFile), read in a worker. */
export function previewInWorker(file: File, yFile?: File): Promise<FilePreview> {
  return inWorker({ type: 'preview', file, ...(yFile ? { yFile } : {}) }, {}, (m) => (m.type === 'preview' ? m.preview : undefined));
}
