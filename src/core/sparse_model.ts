// A model file's sparse block (version 3, core/model_file.ts): the encoding that turns rows into it and its non-zero
// weights as column indices with one value list per output (a hashed block of 2^18+ columns is mostly zeros). The
// loaded parameters hold every column: K × (D + width), the dense columns first.
import { entry, type Csr } from './csr';
import { checkEncoding, type Encoding } from './encoding';
import type { ModelParams } from './model';

/** Non-zero weights of a sparse block: column indices (increasing) and, per output, their values. */
export interface SparseWeights {
  indices: number[];
  values: number[][];
}

/** The version-3 fields of parameters (K × (d + width)) whose last width columns are the sparse block. */
export function sparseFields(p: ModelParams, d: number, encoding: Encoding): { encoding: Encoding; sparseWeights: SparseWeights } {
  const k = p.bias.length;
  const D = d + encoding.width;
  const indices: number[] = [];
  for (let j = 0; j < encoding.width; j++) {
    for (let c = 0; c < k; c++) {
      if (p.weights[c * D + d + j] !== 0) {
        indices.push(j);
        break;
      }
    }
  }
  const values = Array.from({ length: k }, (_, c) => indices.map((j) => p.weights[c * D + d + j]));
  return { encoding, sparseWeights: { indices, values } };
}

/** Reads a version-3 file's encoding and sparse weights into full parameters; errors name the field. */
export function parseSparseWeights(o: Record<string, unknown>, dense: ModelParams, features: string[]): { params: ModelParams; encoding: Encoding } {
  const encoding = checkEncoding(o.encoding, features);
  const s = o.sparseWeights as Partial<SparseWeights> | undefined;
  const k = dense.bias.length;
  const d = features.length;
  const w = encoding.width;
  const fail = (why: string): never => {
    throw new Error(`field "sparseWeights" ${why}`);
  };
  if (typeof s !== 'object' || s === null || !Array.isArray(s.indices) || !Array.isArray(s.values)) return fail('must hold indices and values');
  const idx = s.indices;
  if (!idx.every((j, i) => Number.isInteger(j) && j >= 0 && j < w && (i === 0 || j > idx[i - 1]))) fail(`indices must increase within 0…${w - 1}`);
  if (s.values.length !== k || !s.values.every((v) => Array.isArray(v) && v.length === idx.length && v.every((x) => typeof x === 'number' && Number.isFinite(x)))) {
    fail(`values must be ${k} list(s) of ${idx.length} finite numbers`);
  }
  const D = d + w;
  const weights = new Float64Array(k * D);
  for (let c = 0; c < k; c++) {
    weights.set(dense.weights.subarray(c * d, (c + 1) * d), c * D);
    idx.forEach((j, i) => (weights[c * D + d + j] = s.values![c][i]));
  }
  return { params: { weights, bias: dense.bias }, encoding };
}

/** z_c = b_c + x·W_c[0, d) + Σ val·W_c[d + idx] of row r (dense x: rows × d; its sparse entries in csr), into out (length K). */
export function sparseOutputsRow(x: ArrayLike<number>, r: number, d: number, csr: Csr, p: ModelParams, out: Float64Array): Float64Array {
  const k = p.bias.length;
  const D = p.weights.length / k;
  for (let c = 0; c < k; c++) {
    let s = p.bias[c];
    for (let j = 0; j < d; j++) s += x[r * d + j] * p.weights[c * D + j];
    for (let e = csr.ptr[r]; e < csr.ptr[r + 1]; e++) {
      const [j, v] = entry(csr, e);
      s += v * p.weights[c * D + d + j];
    }
    out[c] = s;
  }
  return out;
}
