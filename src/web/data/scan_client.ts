// The page's side of the scan worker (scan_worker.ts): one worker per scan, ended when the scan ends or is
// aborted (new data was chosen), so a stale scan stops at once instead of reading on.
import { fromErrorMessage, type ErrorMessage } from '../runs/protocol';
import type { DataSpec, Scan } from './datasets';

/** Page → scan worker: the data and how to scan it. */
export interface ToScan {
  spec: DataSpec;
  fitBias: boolean;
  classes: boolean;
}

/** Scan worker → page: rows read so far, the scan, or why it failed. */
export type FromScan = { type: 'rows'; rows: number } | { type: 'done'; scan: Scan } | { type: 'error'; error: ErrorMessage };

/** Scans data in a worker; rejects with the worker's error (its message as the reader wrote it), or on abort. */
export function scanInWorker(job: ToScan, o: { signal: AbortSignal; onRows?: (rows: number) => void }): Promise<Scan> {
  const worker = new Worker(new URL('./scan_worker.ts', import.meta.url), { type: 'module', name: 'downhill scan' });
  return new Promise<Scan>((resolve, reject) => {
    const end = (settle: () => void) => {
      worker.terminate();
      settle();
    };
    o.signal.addEventListener('abort', () => end(() => reject(new DOMException('the scan was replaced', 'AbortError'))), { once: true });
    worker.onmessage = (e: MessageEvent<FromScan>) => {
      const m = e.data;
      if (m.type === 'rows') o.onRows?.(m.rows);
      else if (m.type === 'done') end(() => resolve(m.scan));
      else end(() => reject(fromErrorMessage(m.error)));
    };
    worker.onerror = (e) => end(() => reject(new Error(`the data could not be read: ${e.message || 'its worker failed'}`)));
    worker.postMessage(job satisfies ToScan);
  });
}
