// `downhill gen --task ctr`: seeded click data shaped like the Criteo logs (src/data/synthetic_ctr.ts) written as CSV
// (counts, level names and the click, as a user would get them) or as a .dh cache of rows already encoded — the 26
// categorical columns hashed into 2^b buckets by the same encoder the CSV reader uses (--hash-bits, default 18), so
// `train ctr.dh` equals `train ctr.csv --encoding hash --hash-bits b` row for row. Streamed; atomic; a truth sidecar.
import { CsrBuilder } from '../../core/csr';
import { encodingWidth, HASH_FUNCTION, HASH_SEED, RowEncoder, type Encoding } from '../../core/encoding';
import { AtomicFile, commitAll } from '../../data/atomic';
import { CsrCacheWriter } from '../../data/cache_csr_io';
import { f32ToString } from '../../data/csv_write';
import { ctrChunks, ctrTruth, CTR_CATEGORICAL, CTR_LEVELS, CTR_NUMERIC, CTR_TARGET, type CtrChunk } from '../../data/synthetic_ctr';

/** The encoding of a ctr cache: every categorical column hashed into 2^bits buckets. */
export function ctrEncoding(bits: number): Encoding {
  const e: Encoding = {
    format: 'columns', categorical: CTR_CATEGORICAL.map((name) => ({ name, kind: 'hash' as const })), crosses: [],
    hash: { function: HASH_FUNCTION, bits, seed: HASH_SEED }, width: 0,
  };
  e.width = encodingWidth(e);
  return e;
}

/** CSV text of a chunk: click, the counts, the level names. */
function csvText(c: CtrChunk): string {
  const d = CTR_NUMERIC.length;
  let s = '';
  for (let r = 0; r < c.rows; r++) {
    s += c.y[r];
    for (let j = 0; j < d; j++) s += ',' + f32ToString(c.x[r * d + j]);
    for (const col of c.cells) s += ',' + col[r];
    s += '\n';
  }
  return s;
}

/** Writes `rows` ctr rows to a .csv or .dh file with its truth sidecar, all put in place together. */
export async function writeCtr(path: string, truthFile: string, o: { rows: number; seed: number; bits: number; dh: boolean }): Promise<string> {
  const enc = new TextEncoder();
  const encoding = ctrEncoding(o.bits);
  const encoder = new RowEncoder(encoding);
  const cache = o.dh ? await CsrCacheWriter.create(path, CTR_NUMERIC, CTR_TARGET, { width: encoding.width, encoding, values: 'indicator' }) : null;
  const csv = o.dh ? null : await AtomicFile.create(path);
  const files: AtomicFile[] = [];
  let clicks = 0;
  try {
    await csv?.write(enc.encode(`${CTR_TARGET},${[...CTR_NUMERIC, ...CTR_CATEGORICAL].join(',')}\n`));
    const cells = new Array<string>(CTR_CATEGORICAL.length);
    for (const c of ctrChunks({ rows: o.rows, seed: o.seed })) {
      for (let r = 0; r < c.rows; r++) clicks += c.y[r];
      if (csv) {
        await csv.write(enc.encode(csvText(c)));
        continue;
      }
      const b = new CsrBuilder(false, c.rows, c.rows * encoder.perRow);
      b.reserve(c.rows * encoder.perRow);
      for (let r = 0; r < c.rows; r++) {
        for (let k = 0; k < cells.length; k++) cells[k] = c.cells[k][r];
        b.n += encoder.encode(cells, b.idx, b.n);
        b.endRow();
      }
      await cache!.write({ rows: c.rows, x: c.x, y: c.y, firstRow: c.firstRow, sparse: b.take() });
    }
    if (cache) await cache.finish();
    files.push(cache ? cache.file : csv!);
    const t = await AtomicFile.create(truthFile);
    files.push(t);
    const truth = ctrTruth(o.seed);
    await t.write(enc.encode(JSON.stringify({
      format: 'downhill.truth', task: 'ctr', features: CTR_NUMERIC, categorical: CTR_CATEGORICAL, target: CTR_TARGET, levels: CTR_LEVELS,
      model: 'logistic: z = bias + Σ weights_j·log(1 + I_j) + Σ_c sigma_c·N(0, 1) keyed by (seed, column, level rank); click ~ Bernoulli(σ(z))',
      weights: truth.weights, bias: truth.bias, sigma: truth.sigma, seed: o.seed, rows: o.rows, clickRate: clicks / o.rows,
      ...(o.dh ? { encoding } : {}),
    }, null, 2) + '\n'));
  } catch (e) {
    await Promise.all([cache?.abort(), csv?.abort(), ...files.map((f) => f.abort())]);
    throw e;
  }
  await commitAll(files);
  return `ctr, seed ${o.seed}, click rate ${(clicks / o.rows).toFixed(3)}${o.dh ? `, 26 columns hashed into 2^${o.bits} buckets` : ''}`;
}
