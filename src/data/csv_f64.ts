// A CSV file's rows in float64, for the exact solver on the f64 reference path (--solver exact --backend cpu): the
// same plan (columns, delimiter, skip-bad-rows) as the file's float32 CsvSource, each cell parsed by Number() and
// never rounded to float32. The simple, exact reader (split, trim, Number): ~40 MB/s, read once per solve. Node only.
import { createReadStream } from 'node:fs';
import { DataError } from './csv';
import { isBlank, splitFields, type CsvPlan } from './csv_plan';

/** Row-major rows × d features and targets in f64; `firstRow` indexes the source's rows (for the holdout). */
export interface F64Chunk {
  rows: number;
  x: Float64Array;
  y: Float64Array;
  firstRow: number;
}

/** A source that can also read its rows in f64. */
export interface F64Rows {
  readF64(o?: { maxRows?: number; signal?: AbortSignal }): AsyncIterable<F64Chunk>;
}

// Unambiguous (no two ways to split a run of digits), so a failing match is linear in the cell, not quadratic.
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The f64 reader of a CSV file read with `plan` (CsvSource.plan); class-label targets are not supported. */
export function csvF64Rows(file: string, plan: CsvPlan): F64Rows {
  if (plan.labels) throw new Error('the f64 CSV reader reads numeric targets only');
  if (plan.indicators.length || plan.decimalComma || plan.missing !== 'error') throw new Error('the f64 CSV reader reads plain numeric columns only');
  const d = plan.featureCols.length;
  return {
    async *readF64(o = {}) {
      const max = o.maxRows ?? 65536;
      let x = new Float64Array(max * d);
      let y = new Float64Array(max);
      let n = 0;
      let row = 0;
      let lineNo = 0;
      // node:readline loads here, not in every train's start.
      const { createInterface } = await import('node:readline');
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
      try {
        for await (let line of lines) {
          lineNo++;
          o.signal?.throwIfAborted();
          if (lineNo === 1 || isBlank(line)) continue;
          if (line.endsWith('\r')) line = line.slice(0, -1);
          const values = parseLine(plan, line, lineNo, file);
          if (!values) continue;
          x.set(values.subarray(0, d), n * d);
          y[n++] = values[d];
          if (n === max) {
            yield { rows: n, x, y, firstRow: row };
            row += n;
            n = 0;
            x = new Float64Array(max * d);
            y = new Float64Array(max);
          }
        }
      } finally {
        lines.close();
      }
      if (n > 0) yield { rows: n, x: x.subarray(0, n * d), y: y.subarray(0, n), firstRow: row };
    },
  };
}

/** d features then the target, or null for a bad row when skipping them. */
function parseLine(p: CsvPlan, line: string, lineNo: number, file: string): Float64Array | null {
  const d = p.featureCols.length;
  const out = new Float64Array(d + 1);
  try {
    const fields = splitFields(line, String.fromCharCode(p.delim), file, lineNo);
    if (fields.length !== p.header.length) throw new DataError(file, lineNo, null, `expected ${p.header.length} fields like the header, found ${fields.length}`);
    for (let j = 0; j <= d; j++) {
      const col = j < d ? p.featureCols[j] : p.targetCol;
      const s = fields[col].trim();
      if (!NUMBER.test(s)) throw new DataError(file, lineNo, `${col + 1}`, `expected a number, got "${s}"`);
      out[j] = Number(s);
    }
  } catch (e) {
    if (p.skipBadRows && e instanceof DataError) return null;
    throw e;
  }
  return out;
}
