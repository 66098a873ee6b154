// The bundled real dataset: three million US flights of 2001 from the vega-datasets package (its
// flights-3m.parquet, fetched from the page's own assets when chosen, never from the network), read through
// src/data's Parquet source with one derived column: the departure time (a timestamp) becomes the hour of the day.
import type { HostChunk } from '../../core/dataset';
import { blobAsyncBuffer, ParquetSource } from '../../data/parquet';
import type { DataSource, ReadOptions } from '../../data/source';
// The package exports only its JavaScript entry, so the file is addressed by path (Vite copies it into the build).
import flightsUrl from '../../../node_modules/vega-datasets/data/flights-3m.parquet?url';

/** The file's name on the page and in messages. */
export const FLIGHTS_FILE = 'flights-3m.parquet';
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 24 * MS_PER_HOUR;

/** Fetches the bundled file from the page's assets as a File (it passes to the CPU worker without a copy). */
export async function fetchFlights(): Promise<File> {
  const res = await fetch(flightsUrl);
  if (!res.ok) throw new Error(`the bundled ${FLIGHTS_FILE} could not be loaded (${res.status} ${res.statusText})`);
  return new File([await res.blob()], FLIGHTS_FILE, { type: 'application/vnd.apache.parquet' });
}

/** The flights as a source: features "distance" (miles) and "hour" (of departure, 0–24), target "delay" (minutes). */
class FlightsSource implements DataSource {
  readonly features = ['distance', 'hour'] as const;
  readonly target = 'delay';
  readonly description = `${FLIGHTS_FILE} (US flights 2001)`;

  constructor(private readonly parquet: ParquetSource) {}

  get rows(): number {
    return this.parquet.rows;
  }

  /** The timestamp column holds milliseconds since 1970 (UTC-based local time): its remainder in a day is the hour. */
  private toHours(c: HostChunk): HostChunk {
    for (let r = 0; r < c.rows; r++) {
      const ms = c.x[r * 2 + 1];
      c.x[r * 2 + 1] = (((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / MS_PER_HOUR;
    }
    return c;
  }

  async *read(opts: ReadOptions = {}): AsyncGenerator<HostChunk> {
    for await (const c of this.parquet.read(opts)) yield this.toHours(c);
  }

  async readRows(start: number, count: number): Promise<HostChunk> {
    return this.toHours(await this.parquet.readRows(start, count));
  }
}

/** Opens the flights file as a source of (distance, hour) → delay. */
export async function flightsSource(file: Blob): Promise<DataSource> {
  return new FlightsSource(await ParquetSource.open(FLIGHTS_FILE, blobAsyncBuffer(file), { target: 'delay', features: ['distance', 'date'] }));
}
