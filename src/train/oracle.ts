// The objective's oracle through a backend session (core/solver/oracle.ts): each evaluation is one pass over the
// training rows — the resident slots in groups of pieces, or the source streamed chunk by chunk through one slot —
// summing the mean loss, its gradient and (for Newton) its Hessian at θ in the units the model trains in.
import type { ChunkStore, TrainSession } from '../backend';
import type { Holdout } from '../core/holdout';
import type { ModelParams, ModelSpec } from '../core/model';
import type { Piece, Step } from '../core/schedule';
import type { Evaluation, Oracle } from '../core/solver/oracle';
import type { DataSource } from '../data/source';
import { trainRows } from './load';

/** Pieces a GPU step may hold at most (src/gpu/step_encoder.ts MAX_PIECES). */
const PIECES_PER_STEP = 64;

/** Where the training rows are: resident in `store`, or streamed from `source` through slot 0 of `store`. */
export interface PassRows {
  store: ChunkStore;
  /** Streamed: the source, its holdout and the rows per chunk; null when the rows are resident. */
  stream: { source: DataSource; hold: Holdout | null; slotRows: number } | null;
}

/** An oracle that counts its passes. */
export interface CountingOracle extends Oracle {
  passes: number;
}

/** θ = [K·D weights, K biases when fitted] as model parameters. */
export function paramsOf(theta: ArrayLike<number>, spec: ModelSpec): ModelParams {
  const kd = spec.outputs * spec.d;
  return {
    weights: Float64Array.from({ length: kd }, (_, i) => theta[i]),
    bias: Float64Array.from({ length: spec.outputs }, (_, c) => (spec.fitBias ? theta[kd + c] : 0)),
  };
}

/** Model parameters as θ. */
export function thetaOf(p: ModelParams, spec: ModelSpec): Float64Array {
  const kd = spec.outputs * spec.d;
  const theta = new Float64Array(kd + (spec.fitBias ? spec.outputs : 0));
  theta.set(p.weights);
  if (spec.fitBias) theta.set(p.bias, kd);
  return theta;
}

const step = (pieces: Piece[]): Step => ({ index: 0, t: 0, lr: 0, average: 0, rows: pieces.reduce((a, p) => a + p.count, 0), pieces }) as Step;

/** The oracle of a session's mean loss over its training rows (see the file header). */
export function sessionOracle(session: TrainSession, spec: ModelSpec, rows: PassRows): CountingOracle {
  const { d, outputs: k, fitBias } = spec;
  const size = k * d + (fitBias ? k : 0);
  const full = k * (d + 1);
  // Slots of the full layout (bias at k·d + c) that θ keeps.
  const keep = Array.from({ length: size }, (_, i) => i);
  const oracle: CountingOracle = {
    size, weights: k * d, passes: 0,
    async evaluate(theta, order): Promise<Evaluation> {
      session.writeModel(paramsOf(theta, spec));
      let n = 0;
      let f = 0;
      const g = new Float64Array(size);
      const hf = order === 2 ? new Float64Array(full * full) : null;
      const add = async (s: Step) => {
        const gr = await session.gradient(s);
        n += s.rows;
        f += gr.loss * s.rows;
        for (let i = 0; i < k * d; i++) g[i] += gr.weights[i] * s.rows;
        if (fitBias) for (let c = 0; c < k; c++) g[k * d + c] += gr.bias[c] * s.rows;
        if (hf) {
          if (!session.hessian) throw new Error('this backend has no Hessian pass for Newton\'s method; use --solver lbfgs');
          const h = await session.hessian(s);
          for (let i = 0; i < h.length; i++) hf[i] += h[i] * s.rows;
        }
      };
      if (rows.stream) {
        const { source, hold, slotRows } = rows.stream;
        for await (const c of trainRows(source.read({ maxRows: slotRows }), spec.sparse ? spec.sparse.dense : d, hold, null)) {
          if (c.rows === 0) continue;
          await rows.store.load(0, c);
          await add(step([{ chunk: 0, start: 0, count: c.rows, key: 0, shuffle: false }]));
        }
      } else {
        const pieces = rows.store.rowsIn.flatMap((count, chunk) => (count > 0 ? [{ chunk, start: 0, count, key: 0, shuffle: false }] : []));
        for (let i = 0; i < pieces.length; i += PIECES_PER_STEP) await add(step(pieces.slice(i, i + PIECES_PER_STEP)));
      }
      oracle.passes++;
      const scale = 1 / Math.max(1, n);
      let h: Float64Array | undefined;
      if (hf) {
        h = new Float64Array(size * size);
        for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) h[i * size + j] = hf[keep[i] * full + keep[j]] * scale;
        if (k > 1 && fitBias) fixBiasGauge(h, size, k * d, k);
      }
      return { f: f * scale, g: g.map((v) => v * scale), h };
    },
  };
  return oracle;
}

/**
 * Softmax's probabilities do not change when one constant is added to every class's bias, so its Hessian is singular
 * along u = (0…0, 1…1)/√K (the bias is never penalized) while the gradient is orthogonal to u. Adding c·u·uᵀ (c: the
 * bias block's mean diagonal) leaves the Newton step unchanged in exact arithmetic; in float32 it keeps the rounding
 * in the gradient's u part from becoming a step of millions along u (and the outputs z from losing every digit).
 */
function fixBiasGauge(h: Float64Array, size: number, at: number, k: number): void {
  let c = 0;
  for (let a = 0; a < k; a++) c += h[(at + a) * size + at + a];
  c /= k * k;
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) h[(at + a) * size + at + b] += c;
}
