// The exact solver's fast path where the backend has a Gram pass (Backend.gramPass; WebGPU's shaders/gram.wgsl): one
// pass over the training rows, partials summed in f64, then Cholesky. Its coefficients err by about κ²·ε (ε the
// pass's relative error: ≈ 3e-7 for float32 Gram entries with Kahan-added batch sums), so it is kept only where that is
// ≤ GRAM_MAX_ERROR and no column is collinear; otherwise the caller falls back to the streamed QR (a second pass).
import type { Backend } from '../backend';
import type { Holdout } from '../core/holdout';
import { factorFromGram, firstMeans, solveFactor, solverGram, type Factor } from '../core/solver/least_squares';
import type { DataSource } from '../data/source';
import { trainRows } from './load';

/** The largest predicted relative coefficient error (κ²·ε) for which the Gram factor is kept. */
export const GRAM_MAX_ERROR = 1e-5;

const SLOT_ROWS = 1 << 20;

/** The Gram factor of a source's training rows and the pass's relative error, on a backend with a Gram pass (else null). */
export async function gramFactor(
  backend: Backend, source: DataSource, fitBias: boolean, hold: Holdout | null, signal?: AbortSignal,
): Promise<{ factor: Factor; relError: number } | null> {
  if (!backend.gramPass) return null;
  const d = source.features.length;
  const slotRows = Math.min(SLOT_ROWS, backend.maxChunkRows(d));
  const store = backend.createStore(d, slotRows, false, source.extras);
  const g = new Float64Array((d + 2) ** 2);
  let weightSum: number | undefined;
  let shift: Float64Array | null = null;
  let yShift = 0;
  let rows = 0;
  let relError = 0;
  try {
    const pass = await backend.gramPass(store);
    relError = pass.relError;
    try {
      for await (const c of trainRows(source.read({ maxRows: slotRows, signal }), d, hold, null)) {
        if (c.rows === 0) continue;
        if (!shift) {
          // The kernel subtracts float32 shifts; the factor records exactly those.
          const [mu, ym] = fitBias ? firstMeans(c.x, c.y, c.rows, d) : [new Float64Array(d), 0];
          shift = mu.map(Math.fround);
          yShift = Math.fround(ym);
        }
        await store.load(0, c);
        const part = await pass.run(0, c.rows, shift, yShift);
        for (let i = 0; i < g.length; i++) g[i] += part[i];
        rows += c.rows;
        if (c.w) weightSum = c.w.reduce((a, v) => a + v, weightSum ?? 0);
      }
    } finally {
      pass.dispose();
    }
  } finally {
    store.dispose();
  }
  const factor = factorFromGram(solverGram(g, d, fitBias), { d, bias: fitBias, rows, weightSum, shift: shift ?? new Float64Array(d), yShift, relError });
  return { factor, relError };
}

/** Whether a Gram factor is accurate enough to keep: no collinear column, κ²·ε ≤ GRAM_MAX_ERROR. Else a reason. */
export function gramVerdict(f: Factor, relError: number): string | null {
  const trial = solveFactor(f);
  if (trial.collinear.length) return 'the float32 Gram cannot tell collinear columns apart';
  const predicted = trial.condition ** 2 * relError;
  if (predicted > GRAM_MAX_ERROR) return `condition number ${trial.condition.toPrecision(3)}: the float32 Gram would lose digits (κ²·ε = ${predicted.toExponential(1)})`;
  return null;
}
