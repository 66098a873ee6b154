// AssemblyScript (compiled with kernels.ts, which re-exports it): the sparse block's share of a row's outputs, a
// gather of weights per entry. Rows are CSR (ptr: u32 offsets, idx: u32 indices, val: f32 values, or 0 for ±1
// indicators whose sign is the index's top bit, core/csr.ts); column j's K f64 weights open its record of `stride`
// bytes at blk + j·stride (sparse_update.ts, which updates them in place), read as f32 like every weight the row
// pass reads.
import { catchUp } from './sparse_update';

/**
 * z[r·K + c] += Σ_e val_e·w_c(idx_e) over the entries of row rows[r], for r < count. With a decay table
 * (decay ≠ 0) each weight is first brought from its column's stamp (its last step) up to step `upTo` (read only: the
 * scatter writes it, sparse_update.ts), so the outputs see what updating every column each step would have left.
 */
export function sparseOutputs(
  z: usize, rows: usize, count: u32, ptr: usize, idx: usize, val: usize, blk: usize, stride: usize, k: u32,
  decay: u32, p: usize, q: usize, base: u32, upTo: u32,
): void {
  for (let r: u32 = 0; r < count; r++) {
    const row = <usize>load<u32>(rows + (<usize>r << 2));
    const e0 = <usize>load<u32>(ptr + (row << 2));
    const e1 = <usize>load<u32>(ptr + (row << 2), 4);
    for (let c: u32 = 0; c < k; c++) {
      const wc = blk + (<usize>c << 3);
      let s: f32 = 0;
      if (decay) {
        for (let e = e0; e < e1; e++) {
          const i = load<u32>(idx + (e << 2));
          const rec = wc + <usize>(i & 0x7fffffff) * stride;
          const w = <f32>catchUp(load<f64>(rec), load<u32>(rec - (<usize>c << 3) + stride - 8), upTo, p, q, base);
          s += val ? load<f32>(val + (e << 2)) * w : reinterpret<f32>(reinterpret<u32>(w) ^ (i & 0x80000000));
        }
      } else if (val) {
        for (let e = e0; e < e1; e++) s += load<f32>(val + (e << 2)) * <f32>load<f64>(wc + <usize>load<u32>(idx + (e << 2)) * stride);
      } else {
        // An indicator's value is ±1: flip the weight's sign bit with the index's.
        for (let e = e0; e < e1; e++) {
          const i = load<u32>(idx + (e << 2));
          s += reinterpret<f32>(reinterpret<u32>(<f32>load<f64>(wc + <usize>(i & 0x7fffffff) * stride)) ^ (i & 0x80000000));
        }
      }
      const at = z + ((<usize>r * k + c) << 2);
      store<f32>(at, load<f32>(at) + s);
    }
  }
}

/**
 * Loads a word of every cache line the sparse block of rows rows[r < count] will read — their offsets, their indices
 * (and values) and each entry's column record — so that the passes over them later hit the cache. Three sweeps, each
 * one's addresses read from what the sweep before loaded: the loads within a sweep are independent, so many rows'
 * misses are in flight at once instead of one row's chain of three at a time.
 */
export function sparseTouch(rows: usize, count: u32, ptr: usize, idx: usize, val: usize, blk: usize, stride: usize): u32 {
  let acc: u32 = 0;
  for (let r: u32 = 0; r < count; r++) acc ^= load<u32>(ptr + (<usize>load<u32>(rows + (<usize>r << 2)) << 2));
  for (let r: u32 = 0; r < count; r++) {
    const row = <usize>load<u32>(rows + (<usize>r << 2));
    const e0 = <usize>load<u32>(ptr + (row << 2));
    const e1 = <usize>load<u32>(ptr + (row << 2), 4);
    if (e1 <= e0) continue;
    for (let e = e0; e < e1; e += 16) acc ^= load<u32>(idx + (e << 2));
    acc ^= load<u32>(idx + ((e1 - 1) << 2));
    if (val) {
      for (let e = e0; e < e1; e += 16) acc ^= load<u32>(val + (e << 2));
      acc ^= load<u32>(val + ((e1 - 1) << 2));
    }
  }
  for (let r: u32 = 0; r < count; r++) {
    const row = <usize>load<u32>(rows + (<usize>r << 2));
    const e1 = <usize>load<u32>(ptr + (row << 2), 4);
    for (let e = <usize>load<u32>(ptr + (row << 2)); e < e1; e++) acc ^= load<u32>(blk + <usize>(load<u32>(idx + (e << 2)) & 0x7fffffff) * stride);
  }
  return acc;
}
