// A keyed bijection on [0, n): the per-epoch row shuffle. The GPU evaluates the same function inline
// (shaders/linear_grad.wgsl `permute`), so no permutation array is stored, uploaded or regenerated.
import { mix32 } from './rng';

/** Half-width in bits of the balanced Feistel network covering [0, n): 2·half ≥ log2(n), half ≥ 1. */
export function feistelHalfBits(n: number): number {
  let bits = 2;
  while (bits < 32 && 2 ** bits < n) bits += 2;
  return bits / 2;
}

/** Maps index i in [0, n) to its position under the permutation keyed by `key` (4-round Feistel, cycle-walking). */
export function permuteIndex(i: number, n: number, key: number, halfBits = feistelHalfBits(n)): number {
  const mask = (2 ** halfBits - 1) >>> 0;
  let v = i >>> 0;
  for (;;) {
    let l = v >>> halfBits;
    let r = (v & mask) >>> 0;
    for (let round = 0; round < 4; round++) {
      const t = r;
      r = (l ^ (mix32((r ^ ((key + Math.imul(round, 0x9e3779b9)) >>> 0)) >>> 0) & mask)) >>> 0;
      l = t;
    }
    v = ((l * 2 ** halfBits) + r) >>> 0;
    if (v < n) return v;
  }
}
