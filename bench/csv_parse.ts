// CSV parse throughput: downhill's streaming byte parser (src/data/csv_stream.ts via csvSource) against
// csv-parse (stream API, then Number() per cell into float32 chunks, the same output), the simple reference
// parseCsv (src/data/csv.ts, whole file as one string) and a bare read of the file (the I/O ceiling).
// For two numeric CSVs (default ~200 MB each, 16 features + y; fixed-point floats, and a mix of formats with
// short integers) written to os.tmpdir(), it times each reader end to end from the file to float32 rows (one
// warm-up run, then the median of 3), prints a table, and deletes the files. BENCH_MB=50 for a quicker run.
//
//   npx vite build --ssr bench/csv_parse.ts --outDir node_modules/.cache/downhill-bench --emptyOutDir --logLevel warn \
//     && node node_modules/.cache/downhill-bench/cli.js          (bundled like dist/cli.js: the figures to quote)
//   npx --yes vite-node bench/csv_parse.ts                          (no build step; Vite's module runner costs ~15%)
import { parse as csvParse } from 'csv-parse';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '../src/core/rng';
import { parseCsv } from '../src/data/csv';
import { csvSource } from '../src/data/node_files';

const MB = Number(process.env.BENCH_MB ?? 200);
const D = 16;
const CHUNK = 65536;
const BLOCK = 8 << 20;

/** The two data sets: fixed-point floats, and a mix of fixed-point, float32-shortest, integer and exponent cells. */
const KINDS = {
  floats: (v: number) => v.toFixed(6),
  mixed: (v: number, i: number) => [v.toFixed(6), Math.fround(v).toPrecision(7), String(Math.round(v * 100)), v.toExponential(4)][i % 4],
};

/** Writes ~MB megabytes of numeric CSV with cells drawn from a pool formatted by `format`. */
function writeCsv(file: string, format: (v: number, i: number) => string): number {
  const rng = new Rng(1);
  const pool = Array.from({ length: 8192 }, (_, i) => format((rng.float() * 2 - 1) * 10 ** (rng.int(5) - 1), i));
  const header = [...Array.from({ length: D }, (_, j) => `x${j + 1}`), 'y'].join(',') + '\n';
  writeFileSync(file, header);
  let bytes = header.length;
  while (bytes < MB * 1e6) {
    const lines: string[] = [];
    for (let r = 0; r < 20_000; r++) {
      const cells = new Array<string>(D + 1);
      for (let j = 0; j <= D; j++) cells[j] = pool[rng.u32() & 8191];
      lines.push(cells.join(','));
    }
    const text = lines.join('\n') + '\n';
    writeFileSync(file, text, { flag: 'a' });
    bytes += text.length;
  }
  return bytes;
}

interface Pass {
  rows: number;
  check: number;
}

async function downhill(file: string): Promise<Pass> {
  const src = await csvSource(file, { target: 'y' });
  let rows = 0;
  let check = 0;
  for await (const c of src.read({ maxRows: CHUNK })) {
    for (let i = (1000 - (rows % 1000)) % 1000; i < c.rows; i += 1000) check += c.y[i] + c.x[i * D];
    rows += c.rows;
  }
  return { rows, check };
}

async function csvParseLib(file: string): Promise<Pass> {
  const parser = createReadStream(file, { highWaterMark: BLOCK }).pipe(csvParse({ from_line: 2 }));
  let x = new Float32Array(CHUNK * D);
  let y = new Float32Array(CHUNK);
  let filled = 0;
  let rows = 0;
  let check = 0;
  for await (const rec of parser as AsyncIterable<string[]>) {
    for (let j = 0; j < D; j++) x[filled * D + j] = Number(rec[j]);
    y[filled] = Number(rec[D]);
    if (rows % 1000 === 0) check += y[filled] + x[filled * D];
    rows++;
    if (++filled === CHUNK) {
      x = new Float32Array(CHUNK * D);
      y = new Float32Array(CHUNK);
      filled = 0;
    }
  }
  return { rows, check };
}

async function reference(file: string): Promise<Pass> {
  const ds = parseCsv(readFileSync(file, 'utf8'), { file, target: 'y' });
  const c = ds.chunks[0];
  let check = 0;
  for (let i = 0; i < c.rows; i += 1000) check += c.y[i] + c.x[i * D];
  return { rows: ds.rows, check };
}

async function readOnly(file: string): Promise<Pass> {
  let bytes = 0;
  for await (const b of createReadStream(file, { highWaterMark: BLOCK }) as AsyncIterable<Buffer>) bytes += b.length;
  return { rows: 0, check: bytes };
}

async function timeIt(run: (file: string) => Promise<Pass>, file: string): Promise<{ seconds: number; pass: Pass }> {
  const times: number[] = [];
  let pass = await run(file);
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    pass = await run(file);
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return { seconds: times[1], pass };
}

async function benchFile(name: string, file: string, bytes: number): Promise<void> {
  console.log(`\n${name}: ${(bytes / 1e6).toFixed(1)} MB, ${D} features + y`);
  const runs: [string, (f: string) => Promise<Pass>][] = [
    ['read only (fs stream, 8 MiB)', readOnly], ['downhill csvSource', downhill], ['csv-parse + Number()', csvParseLib], ['parseCsv (reference)', reference],
  ];
  const rows: string[][] = [['reader', 'median s', 'MB/s', 'rows', 'check']];
  for (const [label, run] of runs) {
    const { seconds, pass } = await timeIt(run, file);
    rows.push([label, seconds.toFixed(3), (bytes / 1e6 / seconds).toFixed(0), String(pass.rows), pass.check.toFixed(3)]);
  }
  const w = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  for (const r of rows) console.log(r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  '));
}

async function main(): Promise<void> {
  console.log(`${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, Node ${process.version}; one warm-up, then the median of 3`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'downhill-bench-'));
  try {
    for (const [name, format] of Object.entries(KINDS)) {
      const file = path.join(dir, `${name}.csv`);
      await benchFile(name, file, writeCsv(file, format));
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
