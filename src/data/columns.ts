// Columns by name: a source whose features are the wanted names in another order is read with its columns put in
// the wanted order; a wanted name it lacks is an error naming it. So a model is applied to a file by feature name,
// never by position. No I/O of its own.
import type { HostChunk } from '../core/dataset';
import { DataError, nameList } from './csv';
import type { DataSource } from './source';

/** The source with its features in the order of `wanted` (the source itself when already so). */
export function alignColumns(source: DataSource, wanted: readonly string[], wantedBy: string): DataSource {
  const have = source.features;
  if (have.length === wanted.length && have.every((f, j) => f === wanted[j])) return source;
  const at = new Map(have.map((f, j) => [f, j]));
  const missing = wanted.filter((f) => !at.has(f));
  if (missing.length) {
    throw new DataError(source.description, null, null, `${wantedBy} needs the feature column${missing.length > 1 ? 's' : ''} ${nameList(missing)}, ` +
      `which ${missing.length > 1 ? 'are' : 'is'} not in the file (its features: ${nameList(have)})`);
  }
  const from = Int32Array.from(wanted, (f) => at.get(f)!);
  const d = have.length;
  const k = wanted.length;
  const pick = (c: HostChunk): HostChunk => {
    const x = new Float32Array(c.rows * k);
    for (let r = 0; r < c.rows; r++) for (let j = 0; j < k; j++) x[r * k + j] = c.x[r * d + from[j]];
    return { ...c, x };
  };
  return {
    description: source.description, features: [...wanted], target: source.target,
    get rows() { return source.rows; },
    get targetLabels() { return source.targetLabels; },
    get skipped() { return source.skipped; },
    ...(source.extras ? { extras: source.extras } : {}),
    ...(source.files ? { files: source.files } : {}),
    ...(source.sparse ? { sparse: source.sparse } : {}),
    async *read(opts) {
      for await (const c of source.read(opts)) yield pick(c);
    },
    ...(source.readRows ? { readRows: async (start: number, count: number) => pick(await source.readRows!(start, count)) } : {}),
    ...(source.close ? { close: () => source.close!() } : {}),
  };
}
