// AssemblyScript (compiled with kernels.ts, which re-exports it): the sparse block's share of a row's outputs, a
// gather of weights per entry. Rows are CSR (ptr: u32 offsets, idx: u32 indices, val: f32 values, or 0 for ±1
// indicators whose sign is the index's top bit, core/csr.ts); ws holds K rows of `width` f32 weights.

/** z[r·K + c] += Σ_e val_e·ws[c·width + idx_e] over the entries of row rows[r], for r < count. */
export function sparseOutputs(z: usize, rows: usize, count: u32, ptr: usize, idx: usize, val: usize, ws: usize, width: u32, k: u32): void {
  const stride = <usize>width << 2;
  for (let r: u32 = 0; r < count; r++) {
    const row = <usize>load<u32>(rows + (<usize>r << 2));
    const e0 = <usize>load<u32>(ptr + (row << 2));
    const e1 = <usize>load<u32>(ptr + (row << 2), 4);
    for (let c: u32 = 0; c < k; c++) {
      const wc = ws + <usize>c * stride;
      let s: f32 = 0;
      if (val) {
        for (let e = e0; e < e1; e++) s += load<f32>(val + (e << 2)) * load<f32>(wc + (<usize>load<u32>(idx + (e << 2)) << 2));
      } else {
        // An indicator's value is ±1: flip the weight's sign bit with the index's.
        for (let e = e0; e < e1; e++) {
          const i = load<u32>(idx + (e << 2));
          s += reinterpret<f32>(load<u32>(wc + (<usize>(i & 0x7fffffff) << 2)) ^ (i & 0x80000000));
        }
      }
      const at = z + ((<usize>r * k + c) << 2);
      store<f32>(at, load<f32>(at) + s);
    }
  }
}
