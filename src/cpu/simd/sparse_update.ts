// AssemblyScript (compiled with kernels.ts, which re-exports it): a training step's sparse block on the owning thread,
// in f64 — the sums Σ dL/dz·val per column in job order (a scatter that lists each column at its first touch), and
// the update of the listed columns in place (the rules of core/optim/{sgd,adagrad,ftrl}.ts with the penalties' L2
// gradient and L1 soft-threshold, each column first brought up to date through the decay table of core/optim/lazy.ts).
// Its oracle is the host update of core/sparse_session.ts (updateWeight, DecayTable). Layouts: ws and acc hold K rows
// of `width` f64; a column's optimizer slots are at slots + (c·width + j)·S·8; last holds a u32 step per column.

/** The update rules (src/cpu/simd_sparse_update.ts maps optimizer names to these). */
const SGD: u32 = 0;
const ADAGRAD: u32 = 1;
const FTRL: u32 = 2;

@inline function soft(w: f64, t: f64): f64 {
  return w > t ? w - t : w < -t ? w + t : 0;
}

/** w after the untouched steps a+1…b (DecayTable.catchUp: p, q its prefix products and sums from step `base`). */
@inline export function catchUp(w: f64, a: u32, b: u32, p: usize, q: usize, base: u32): f64 {
  if (b <= a) return w;
  const ka = <usize>(a - base) << 3;
  const kb = <usize>(b - base) << 3;
  const pa = load<f64>(p + ka);
  return (load<f64>(p + kb) / pa) * soft(w, (load<f64>(q + kb) - load<f64>(q + ka)) * pa);
}

/**
 * acc[c·width + j] += dL/dz_rc·val_e for every entry e of rows r < count (row indices at rows, their K dL/dz at g), in
 * order; a column touched for the first time under `stamp` is zeroed and appended to list[n…]. Returns the list's length.
 */
export function sparseScatter(
  acc: usize, mark: usize, list: usize, n: u32, stamp: u32, g: usize, rows: usize, count: u32,
  ptr: usize, idx: usize, val: usize, width: u32, k: u32,
): u32 {
  const stride = <usize>width << 3;
  for (let r: u32 = 0; r < count; r++) {
    const row = <usize>load<u32>(rows + (<usize>r << 2));
    const e1 = <usize>load<u32>(ptr + (row << 2), 4);
    const gr = g + ((<usize>r * k) << 2);
    for (let e = <usize>load<u32>(ptr + (row << 2)); e < e1; e++) {
      const i = load<u32>(idx + (e << 2));
      const j = <usize>(i & 0x7fffffff);
      const v: f64 = val ? <f64>load<f32>(val + (e << 2)) : i & 0x80000000 ? -1.0 : 1.0;
      const at = acc + (j << 3);
      if (load<u32>(mark + (j << 2)) != stamp) {
        store<u32>(mark + (j << 2), stamp);
        store<u32>(list + (<usize>n << 2), <u32>j);
        n++;
        for (let c: u32 = 0; c < k; c++) store<f64>(at + <usize>c * stride, 0);
      }
      for (let c: u32 = 0; c < k; c++) {
        const a = at + <usize>c * stride;
        store<f64>(a, load<f64>(a) + <f64>load<f32>(gr + (<usize>c << 2)) * v);
      }
    }
  }
  return n;
}

/** Σ acc² over the listed columns' K sums (the sparse block's share of the gradient's squared norm). */
export function sparseSquares(acc: usize, list: usize, n: u32, width: u32, k: u32): f64 {
  let s: f64 = 0;
  for (let q: u32 = 0; q < n; q++) {
    const j = <usize>load<u32>(list + (<usize>q << 2));
    for (let c: u32 = 0; c < k; c++) {
      const a = load<f64>(acc + ((<usize>c * width + j) << 3));
      s += a * a;
    }
  }
  return s;
}

/**
 * Step t of the listed columns: w ← rule(catch-up(w), acc·scale) with rate lr; the penalty's gradient l2·w and (prox
 * ≠ 0) its soft-threshold by lr·l1 for SGD and AdaGrad, FTRL's closed form with λ1 = l1, λ2 = l2 and β = beta. With
 * a decay table (last ≠ 0) each column first catches up to step t − 1, and its last step becomes t.
 */
export function sparseUpdate(
  rule: u32, ws: usize, slots: usize, nslots: u32, acc: usize, list: usize, n: u32, width: u32, k: u32,
  scale: f64, lr: f64, l2: f64, l1: f64, prox: u32, beta: f64, eps: f64, t: u32, last: usize, p: usize, q: usize, base: u32,
): void {
  for (let m: u32 = 0; m < n; m++) {
    const j = <usize>load<u32>(list + (<usize>m << 2));
    const a = last ? load<u32>(last + (j << 2)) : 0;
    for (let c: u32 = 0; c < k; c++) {
      const i = <usize>c * width + j;
      let w = load<f64>(ws + (i << 3));
      if (last) w = catchUp(w, a, t - 1, p, q, base);
      const g = load<f64>(acc + (i << 3)) * scale;
      const s = slots + ((i * nslots) << 3);
      if (rule == FTRL) {
        const n0 = load<f64>(s, 8);
        const n1 = n0 + g * g;
        const z = load<f64>(s) + (g - ((sqrt<f64>(n1) - sqrt<f64>(n0)) / lr) * w);
        store<f64>(s, z);
        store<f64>(s, n1, 8);
        w = abs<f64>(z) <= l1 ? 0 : -(z - (z > 0 ? l1 : -l1)) / ((beta + sqrt<f64>(n1)) / lr + l2);
      } else {
        const grad = g + l2 * w;
        if (rule == ADAGRAD) {
          const G = load<f64>(s) + grad * grad;
          store<f64>(s, G);
          w = w - (lr * grad) / (sqrt<f64>(G) + eps);
        } else {
          w = w - lr * grad;
        }
        if (prox) w = soft(w, lr * l1);
      }
      store<f64>(ws + (i << 3), w);
    }
    if (last) store<u32>(last + (j << 2), t);
  }
}

/** Brings every column up to step `to` through the decay table (each column's last step becomes `to`). */
export function sparseCatchUpAll(ws: usize, width: u32, k: u32, last: usize, p: usize, q: usize, base: u32, to: u32): void {
  for (let j: usize = 0; j < <usize>width; j++) {
    const a = load<u32>(last + (j << 2));
    if (a >= to) continue;
    for (let c: u32 = 0; c < k; c++) {
      const at = ws + ((<usize>c * width + j) << 3);
      store<f64>(at, catchUp(load<f64>(at), a, to, p, q, base));
    }
    store<u32>(last + (j << 2), to);
  }
}
