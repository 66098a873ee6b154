// Seeded synthetic linear data as a source that regenerates its rows chunk by chunk on every pass, in
// constant memory (linearDataset's rows, never all at once).
import type { ModelParams } from '../core/model';
import { chunkRows } from './blocks';
import type { DataSource, ReadOptions } from './source';
import { linearChunks, resolveSynthetic, syntheticTruth, type SyntheticOptions } from './synthetic';

export { linearChunks, syntheticTruth };

/** A synthetic dataset as a source that regenerates its rows on every pass (constant memory). */
export function syntheticSource(o: SyntheticOptions): DataSource & { truth: ModelParams } {
  const r = resolveSynthetic(o);
  const features = Array.from({ length: r.features }, (_, j) => `x${j + 1}`);
  return {
    description: `synthetic ${r.rows} × ${r.features} (seed ${r.seed})`,
    features, target: 'y', rows: r.rows, truth: r.truth,
    async *read(opts: ReadOptions = {}) {
      for (const c of linearChunks(r, chunkRows(opts, r.features))) {
        opts.signal?.throwIfAborted();
        yield c;
      }
    },
  };
}
