// The exact solver across ranks (TSQR): every rank factors its own rows with the same column shift (rank 0's first
// rows' means), the ranks' R factors are merged pairwise up a binary tree (R of [R_a; R_b]), and every rank receives
// the merged R, so every rank solves the same system to the same bits. Also the sum of the ranks' metric sums.
import type { HostChunk } from '../core/dataset';
import { splitChunk, type Holdout } from '../core/holdout';
import type { EvalSums } from '../core/metrics';
import { firstMeans, type Factor } from '../core/solver/least_squares';
import { mergeTriangular } from '../core/solver/tsqr';
import type { DataSource } from '../data/source';
import { concat, type Collective } from './collective';

/** Rows whose means give the shift (as the one-process solver's first chunk). */
const SHIFT_ROWS = 1 << 16;

/** The column shift every rank factors with: the means of rank 0's first training rows (zeros if it has none). */
export async function commonShift(source: DataSource, hold: Holdout | null, c: Collective, signal?: AbortSignal): Promise<{ x: Float64Array; y: number }> {
  const d = source.features.length;
  let mine: Float64Array = new Float64Array(d + 1);
  if (c.rank === 0) {
    for await (const ch of source.read({ maxRows: SHIFT_ROWS, signal })) {
      const rows: HostChunk = hold ? splitChunk(ch, d, hold).train : ch;
      if (rows.rows === 0) continue;
      const [x, y] = firstMeans(rows.x, rows.y, rows.rows, d);
      mine = concat(x, [y]);
      break;
    }
  }
  const shift = await c.broadcast(mine);
  return { x: shift.slice(0, d), y: shift[d] };
}

/** The factor of every rank's rows: R merged up the binary tree, rows and sample weights summed, the coarsest precision kept. */
export async function mergeFactors(f: Factor, c: Collective): Promise<Factor> {
  const pp = f.p * f.p;
  const packed = concat(f.r, [f.rows, f.tol, f.weightSum ?? 0]);
  const merged = await c.reduceTree(packed, (a, b) => {
    const r = mergeTriangular(a.slice(0, pp), b.slice(0, pp), f.p);
    return concat(r, [a[pp] + b[pp], Math.max(a[pp + 1], b[pp + 1]), a[pp + 2] + b[pp + 2]]);
  });
  return { ...f, r: merged.slice(0, pp), rows: merged[pp], tol: merged[pp + 1], ...(f.weightSum !== undefined ? { weightSum: merged[pp + 2] } : {}) };
}

/**
 * The sums of every rank (rows, Σ w when weighted, loss, metric sums and confusion counts added), the same on every
 * rank. Every rank reads the same columns, so either all sums are weighted or none.
 */
export async function sumRanks(s: EvalSums, c: Collective): Promise<EvalSums> {
  const v = await c.allreduce(concat([s.rows, s.loss, s.weight ?? 0], s.m, s.confusion ?? []));
  return { rows: v[0], loss: v[1], ...(s.weight !== undefined ? { weight: v[2] } : {}), m: v.slice(3, 7), confusion: s.confusion ? v.slice(7) : null };
}
