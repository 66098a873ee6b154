// AssemblyScript (compiled with kernels.ts, which re-exports it): the sparse block's share of a row's outputs, a
// gather of weights per entry. Rows are CSR (ptr: u32 offsets, idx: u32 indices, val: f32 values, or 0 for ±1
// indicators whose sign is the index's top bit, core/csr.ts) or row records of rs bytes (sparse_update.ts rowFirst);
// column j's K f64 weights open its record of `stride` bytes at blk + j·stride (sparse_update.ts, which updates them
// in place), read as f32 like every weight the row pass reads.
import { catchUp, rowEnd, rowFirst, valueOffset } from './sparse_update';

/**
 * z[r·K + c] += Σ_e val_e·w_c(idx_e) over the entries of row rows[r], for r < count. With a decay table
 * (decay ≠ 0) each weight is first brought from its column's stamp (its last step) up to step `upTo` (read only: the
 * scatter writes it, sparse_update.ts), so the outputs see what updating every column each step would have left.
 */
export function sparseOutputs(
  z: usize, rows: usize, count: u32, ptr: usize, idx: usize, val: usize, rs: usize, blk: usize, stride: usize, k: u32,
  decay: u32, p: usize, q: usize, base: u32, upTo: u32,
): void {
  const vo = valueOffset(idx, val, rs);
  for (let r: u32 = 0; r < count; r++) {
    const row = <usize>load<u32>(rows + (<usize>r << 2));
    const a0 = rowFirst(row, ptr, idx, rs);
    const a1 = rowEnd(row, ptr, idx, rs, a0);
    for (let c: u32 = 0; c < k; c++) {
      const wc = blk + (<usize>c << 3);
      let s: f32 = 0;
      if (decay) {
        for (let a = a0; a < a1; a += 4) {
          const i = load<u32>(a);
          const rec = wc + <usize>(i & 0x7fffffff) * stride;
          const w = <f32>catchUp(load<f64>(rec), load<u32>(rec - (<usize>c << 3) + stride - 8), upTo, p, q, base);
          s += val ? load<f32>(a + vo) * w : reinterpret<f32>(reinterpret<u32>(w) ^ (i & 0x80000000));
        }
      } else if (val) {
        for (let a = a0; a < a1; a += 4) s += load<f32>(a + vo) * <f32>load<f64>(wc + <usize>load<u32>(a) * stride);
      } else {
        // An indicator's value is ±1: flip the weight's sign bit with the index's.
        for (let a = a0; a < a1; a += 4) {
          const i = load<u32>(a);
          s += reinterpret<f32>(reinterpret<u32>(<f32>load<f64>(wc + <usize>(i & 0x7fffffff) * stride)) ^ (i & 0x80000000));
        }
      }
      const at = z + ((<usize>r * k + c) << 2);
      store<f32>(at, load<f32>(at) + s);
    }
  }
}

/**
 * Loads a word of every cache line the sparse block of rows rows[r < count] will read — their offsets (CSR), their
 * indices (and values) and each entry's column record — so that the passes over them later hit the cache. A sweep
 * each, each one's addresses read from what the sweep before loaded: the loads within a sweep are independent, so
 * many rows' misses are in flight at once instead of one row's chain at a time. Row records need no offsets' sweep:
 * a row's count shares its line with its target, which the dense touch (kernels.ts) has already asked for.
 */
export function sparseTouch(rows: usize, count: u32, ptr: usize, idx: usize, val: usize, rs: usize, blk: usize, stride: usize): u32 {
  let acc: u32 = 0;
  if (!rs) for (let r: u32 = 0; r < count; r++) acc ^= load<u32>(ptr + (<usize>load<u32>(rows + (<usize>r << 2)) << 2));
  const vo = valueOffset(idx, val, rs);
  for (let r: u32 = 0; r < count; r++) {
    const row = <usize>load<u32>(rows + (<usize>r << 2));
    const a0 = rowFirst(row, ptr, idx, rs);
    const a1 = rowEnd(row, ptr, idx, rs, a0);
    if (a1 <= a0) continue;
    for (let a = a0; a < a1; a += 64) acc ^= load<u32>(a);
    acc ^= load<u32>(a1 - 4);
    if (val) {
      for (let a = a0; a < a1; a += 64) acc ^= load<u32>(a + vo);
      acc ^= load<u32>(a1 - 4 + vo);
    }
  }
  for (let r: u32 = 0; r < count; r++) {
    const row = <usize>load<u32>(rows + (<usize>r << 2));
    const a0 = rowFirst(row, ptr, idx, rs);
    const a1 = rowEnd(row, ptr, idx, rs, a0);
    for (let a = a0; a < a1; a += 4) acc ^= load<u32>(blk + <usize>(load<u32>(a) & 0x7fffffff) * stride);
  }
  return acc;
}
