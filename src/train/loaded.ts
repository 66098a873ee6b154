// A run's data as loaded: the targets prepared for the loss, the rows resident in a backend store or a stream's ring,
// their statistics and the held-out rows. What the epoch loop and the solvers start from (train.ts builds it).
import type { ChunkStore } from '../backend';
import type { Stream } from './epochs';
import type { RowStats, ValidationSet } from './load';
import type { Targets } from './targets';

/** The data of a run as loaded. */
export interface LoadedRun {
  targets: Targets;
  store: ChunkStore;
  stats: RowStats;
  validation: ValidationSet | null;
  stream: Stream | null;
}
