// The per-adapter tuning table: workgroups per piece of rows, the fusion threshold and the upload path, chosen by
// matching the adapter's vendor/architecture/description, each entry with the measurement that chose it (or marked as
// a prediction that `bench/gpu.sh` owes a measurement). Options passed to the backend override the entry.
import type { UploadMode } from './store';

/** The knobs the kernels' host code takes per adapter. */
export interface Tuning {
  /** Most workgroups one piece of rows is split over (each reduces once into a partial row). */
  maxGroups: number;
  /** Steps needing at most this many workgroups run fused (one dispatch per SGD step); 0 never fuses. */
  fuseGroups: number;
  /** How rows reach the GPU: mapped staging ring or queue.writeBuffer. */
  upload: UploadMode;
}

/** One row of the table: which adapters it matches, its tuning, and what justifies it. */
export interface TuningEntry {
  name: string;
  /** Tested against `vendor architecture description` of the adapter, lower-cased. */
  match: RegExp;
  tuning: Tuning;
  /** Measured on the device (with the figures and command) or a prediction owed a measurement. */
  basis: 'measured' | 'predicted';
  evidence: string;
}

/** First match wins; the last entry matches every adapter. */
export const TUNING_TABLE: readonly TuningEntry[] = [
  {
    name: 'software', match: /software|cpu|swiftshader|llvmpipe|lavapipe/,
    tuning: { maxGroups: 32, fuseGroups: 128, upload: 'writeBuffer' }, basis: 'measured',
    evidence: 'lavapipe, 2 cores (bench/RESULTS.md, 2026-11-24): maxGroups 1024 → 32 took B = 65536 from 2206 to 636 ms/epoch '
      + 'and B = 4096 from 2595 to 1462 ms (1M × 64); writeBuffer 13.5 GB/s vs the staging ring 5.84 (bench --upload); '
      + 'fused vs two-dispatch within noise (B = 4096 1259 vs 1296 ms), so fusing stays on',
  },
  {
    name: 'nvidia', match: /nvidia/,
    tuning: { maxGroups: 1024, fuseGroups: 128, upload: 'staging' }, basis: 'predicted',
    evidence: 'prediction (bench/NOTES.md): 1024 workgroups × 4096 rows keep 8 per SM resident on 132 SMs; fused ≤ 128 '
      + 'groups covers B ≤ 8192 at D = 64; staging ring ~6.6 vs writeBuffer ~1.1 GB/s (H100, ../shared/gpu/README.md). '
      + 'Owed: the --max-groups and --fuse-groups sweeps of bench/gpu.sh',
  },
  {
    name: 'default', match: /(?:)/,
    tuning: { maxGroups: 1024, fuseGroups: 128, upload: 'staging' }, basis: 'predicted',
    evidence: 'the discrete-GPU prediction, unmeasured on this adapter kind',
  },
];

/** The table entry for an adapter, from its info fields and description. */
export function tuningEntry(info: Record<string, string | number>, description = ''): TuningEntry {
  const key = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''} ${description}`.toLowerCase();
  return TUNING_TABLE.find((e) => e.match.test(key))!;
}
