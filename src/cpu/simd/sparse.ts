// AssemblyScript (compiled with kernels.ts, which re-exports it): the sparse block's share of a row's outputs, a
// gather of weights per entry. Rows are CSR (ptr: u32 offsets, idx: u32 indices, val: f32 values, or 0 for ±1
// indicators whose sign is the index's top bit, core/csr.ts); ws holds K rows of `width` f64 weights (the sparse
// block's own, sparse_update.ts updates them in place), read as f32 like every weight the row pass reads.
import { catchUp } from './sparse_update';

/**
 * z[r·K + c] += Σ_e val_e·ws[c·width + idx_e] over the entries of row rows[r], for r < count. With a decay table
 * (last ≠ 0) each weight is first brought from its column's last step up to step `upTo` (read only: the update
 * writes it, sparse_update.ts), so the outputs see what updating every column each step would have left.
 */
export function sparseOutputs(
  z: usize, rows: usize, count: u32, ptr: usize, idx: usize, val: usize, ws: usize, width: u32, k: u32,
  last: usize, p: usize, q: usize, base: u32, upTo: u32,
): void {
  const stride = <usize>width << 3;
  for (let r: u32 = 0; r < count; r++) {
    const row = <usize>load<u32>(rows + (<usize>r << 2));
    const e0 = <usize>load<u32>(ptr + (row << 2));
    const e1 = <usize>load<u32>(ptr + (row << 2), 4);
    for (let c: u32 = 0; c < k; c++) {
      const wc = ws + <usize>c * stride;
      let s: f32 = 0;
      if (last) {
        for (let e = e0; e < e1; e++) {
          const i = load<u32>(idx + (e << 2));
          const j = <usize>(i & 0x7fffffff);
          const w = <f32>catchUp(load<f64>(wc + (j << 3)), load<u32>(last + (j << 2)), upTo, p, q, base);
          s += val ? load<f32>(val + (e << 2)) * w : reinterpret<f32>(reinterpret<u32>(w) ^ (i & 0x80000000));
        }
      } else if (val) {
        for (let e = e0; e < e1; e++) s += load<f32>(val + (e << 2)) * <f32>load<f64>(wc + (<usize>load<u32>(idx + (e << 2)) << 3));
      } else {
        // An indicator's value is ±1: flip the weight's sign bit with the index's.
        for (let e = e0; e < e1; e++) {
          const i = load<u32>(idx + (e << 2));
          s += reinterpret<f32>(reinterpret<u32>(<f32>load<f64>(wc + (<usize>(i & 0x7fffffff) << 3))) ^ (i & 0x80000000));
        }
      }
      const at = z + ((<usize>r * k + c) << 2);
      store<f32>(at, load<f32>(at) + s);
    }
  }
}
