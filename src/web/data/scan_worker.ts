// The reading a page asks of a chosen file in a Web Worker: the preview of its columns (previewFile: a Parquet row
// group is decoded to profile its first rows), and the scan pass of large data (a file, a URL, the bundled flights:
// datasets.ts's scanData reads every row for the row count, the classes, the exact least-squares answer and the
// sampled rows). So decoding a Parquet file or reading three million rows never stalls the page (choosing the
// flights froze it for 1.6 s when the scan ran there). Messages are scan_client.ts's.
import { toErrorMessage } from '../runs/protocol';
import { openData, scanData } from './datasets';
import { previewFile } from './files';
import type { FromScan, ToScan } from './scan_client';

const post = (m: FromScan): void => (self as unknown as Worker).postMessage(m);

self.onmessage = async (e: MessageEvent<ToScan>) => {
  const job = e.data;
  try {
    if (job.type === 'preview') {
      post({ type: 'preview', preview: await previewFile(job.file, job.yFile) });
      return;
    }
    const d = await openData(job.spec);
    post({ type: 'done', scan: await scanData(d, job.fitBias, { classes: job.classes, onRows: (rows) => post({ type: 'rows', rows }) }) });
  } catch (err) {
    post({ type: 'error', error: toErrorMessage(err) });
  }
};
