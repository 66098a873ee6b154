// CSV sources over a browser Blob or File (and Node's Blob/fs.openAsBlob): each pass streams Blob.stream(),
// so a file larger than memory is never held whole. No Node imports: this is what the web app uses.
import { csvSourceFromStream, type CsvSource, type CsvStreamOptions } from './csv_stream';

/** Opens a CSV Blob or File as a streaming source (the name is the File's name, else "blob"). */
export function csvSourceFromBlob(blob: { stream(): ReadableStream<Uint8Array> }, opts: CsvStreamOptions, name?: string): Promise<CsvSource> {
  const label = name ?? ((blob as Partial<File>).name || 'blob');
  return csvSourceFromStream(label, () => blob.stream(), opts);
}
