// AssemblyScript: the one row loop of the fast CPU backend's scalar losses. `scalarRows<L>` runs the training rows of
// a block through a loss unit's portable math class L (src/core/losses/<stem>.ts, the same class the f64 reference
// calls): dL/dz per row into g (f32), Σ loss and Σ dL/dz (f64) at out. L is a type parameter, so asc compiles one
// loop per loss with its math inlined (no calls, no allocation); vite.plugins.ts `?simd` writes the `<stem>_rows`
// exports that instantiate it, except where a vectorized override exists in losses/<stem>.ts. Rows with sample
// weights go through `scalarRowsW<L>` (the `<stem>_rows_w` exports, every scalar loss), which scales each row's loss
// and dL/dz by its weight; the unweighted loops stay as they were.
import { storeSums } from './loss_math';

/** Rows: z (outputs), y (targets), g (dL/dz out), hp (four f64 slots: L reads the first two), out (Σ loss, Σ dL/dz). */
@inline export function scalarRows<L>(z: usize, y: usize, g: usize, count: u32, hp: usize, out: usize): void {
  const h0 = load<f64>(hp);
  const h1 = load<f64>(hp, 8);
  const unit = changetype<L>(0);
  let loss: f64 = 0;
  let sum: f64 = 0;
  for (let r: u32 = 0; r < count; r++) {
    const o = <usize>r << 2;
    const zr = <f64>load<f32>(z + o);
    const t = <f64>load<f32>(y + o);
    const d = <f32>unit.dz(zr, t, h0, h1);
    store<f32>(g + o, d);
    loss += unit.value(zr, t, h0, h1);
    sum += <f64>d;
  }
  storeSums(out, loss, sum);
}

/** scalarRows with sample weights at w (f32 per row): w·dL/dz into g, Σ w·loss and Σ w·dL/dz at out. */
@inline export function scalarRowsW<L>(z: usize, y: usize, g: usize, count: u32, hp: usize, out: usize, w: usize): void {
  const h0 = load<f64>(hp);
  const h1 = load<f64>(hp, 8);
  const unit = changetype<L>(0);
  let loss: f64 = 0;
  let sum: f64 = 0;
  for (let r: u32 = 0; r < count; r++) {
    const o = <usize>r << 2;
    const zr = <f64>load<f32>(z + o);
    const t = <f64>load<f32>(y + o);
    const wr = <f64>load<f32>(w + o);
    const d = <f32>(wr * unit.dz(zr, t, h0, h1));
    store<f32>(g + o, d);
    loss += wr * unit.value(zr, t, h0, h1);
    sum += <f64>d;
  }
  storeSums(out, loss, sum);
}
