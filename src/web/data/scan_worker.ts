// The scan pass of large data (a file, a URL, the bundled flights) in a Web Worker: it opens the data from its spec
// and reads every row for the row count, the classes, the exact least-squares answer and the sampled rows
// (datasets.ts's scanData), so decoding a Parquet row group or three million rows never stalls the page (choosing
// the flights froze it for 1.6 s when the scan ran there). Messages are scan_client.ts's.
import { toErrorMessage } from '../runs/protocol';
import { openData, scanData } from './datasets';
import type { FromScan, ToScan } from './scan_client';

const post = (m: FromScan): void => (self as unknown as Worker).postMessage(m);

self.onmessage = async (e: MessageEvent<ToScan>) => {
  const { spec, fitBias, classes } = e.data;
  try {
    const d = await openData(spec);
    post({ type: 'done', scan: await scanData(d, fitBias, { classes, onRows: (rows) => post({ type: 'rows', rows }) }) });
  } catch (err) {
    post({ type: 'error', error: toErrorMessage(err) });
  }
};
