// AssemblyScript (compiled with kernels.ts, which re-exports it): a training step's sparse block on the owning thread,
// in f64 — the sums Σ dL/dz·val per column in job order (a scatter that lists each column at its first touch), and
// the update of the listed columns in place (the rules of core/optim/{sgd,adagrad,ftrl}.ts with the penalties' L2
// gradient and L1 soft-threshold, each column first brought up to date through the decay table of core/optim/lazy.ts).
// Its oracle is the host update of core/sparse_session.ts (updateWeight, DecayTable).
// A column j is one record of `stride` bytes at blk + j·stride, so that the row pass's read of its weights, the
// scatter and the update meet one cache line: K f64 weights, K f64 sums, K × S f64 optimizer slots, then (at stride − 8)
// the u32 stamp of the step that last listed it. Training steps stamp with their 1-based number t, and a step updates
// exactly the columns it lists: the stamp is also the step up to which a column's weights are up to date (decay).

/** The update rules (src/cpu/simd_sparse_update.ts maps optimizer names to these). */
const SGD: u32 = 0;
const ADAGRAD: u32 = 1;
const FTRL: u32 = 2;

/** The soft-threshold by t ≥ 0, branch-free (a weight's sign is unpredictable). */
@inline function soft(w: f64, t: f64): f64 {
  const m = abs<f64>(w) - t;
  return select<f64>(copysign<f64>(m, w), 0, m > 0);
}

/**
 * w after the untouched steps a+1…b (DecayTable.catchUp: p, q its prefix products and sums from step `base`; q = 0:
 * no L1 part, the sums all 0); w itself when b ≤ a. Branch-free: whether a column missed steps is unpredictable.
 */
@inline export function catchUp(w: f64, a: u32, b: u32, p: usize, q: usize, base: u32): f64 {
  const ka = <usize>(min<u32>(a, b) - base) << 3;
  const kb = <usize>(b - base) << 3;
  const pa = load<f64>(p + ka);
  const r = load<f64>(p + kb) / pa;
  return q ? r * soft(w, (load<f64>(q + kb) - load<f64>(q + ka)) * pa) : r * w;
}

/**
 * Where row `row`'s entries are, in either layout of a slot's rows (src/cpu/simd_sparse_store.ts): CSR (rs = 0) — u32
 * offsets at ptr, indices from idx, values in an array of their own — or row records of rs bytes, the row's count at
 * idx + row·rs and its S indices after it (then, valued, its S values). rowFirst: the byte address of its first index.
 */
@inline export function rowFirst(row: usize, ptr: usize, idx: usize, rs: usize): usize {
  return rs ? idx + row * rs + 4 : idx + (<usize>load<u32>(ptr + (row << 2)) << 2);
}

/** The byte address past row `row`'s last index (a0: its first, rowFirst). */
@inline export function rowEnd(row: usize, ptr: usize, idx: usize, rs: usize, a0: usize): usize {
  return rs ? a0 + (<usize>load<u32>(a0 - 4) << 2) : idx + (<usize>load<u32>(ptr + (row << 2), 4) << 2);
}

/** Bytes from an entry's index to its value: `val` itself in row records, the arrays' distance in CSR (mod 2^32). */
@inline export function valueOffset(idx: usize, val: usize, rs: usize): usize {
  return rs ? val : val - idx;
}

/**
 * Adds dL/dz_rc·val_e into column sums for every entry e of rows r < count (row indices at rows, their K dL/dz at g),
 * in order; a column first touched under `stamp` starts from 0 and is appended to list[n…] — with a decay table
 * (decay ≠ 0) its weights brought from its last step up to step stamp − 1 first. Returns the list's length. The rows
 * are CSR or row records (ptr, idx, val, rs: rowFirst).
 */
export function sparseScatter(
  blk: usize, stride: usize, list: usize, n: u32, stamp: u32, g: usize, rows: usize, count: u32,
  ptr: usize, idx: usize, val: usize, rs: usize, k: u32, decay: u32, p: usize, q: usize, base: u32,
): u32 {
  const sums = <usize>k << 3;
  const vo = valueOffset(idx, val, rs);
  for (let r: u32 = 0; r < count; r++) {
    const row = <usize>load<u32>(rows + (<usize>r << 2));
    const a0 = rowFirst(row, ptr, idx, rs);
    const a1 = rowEnd(row, ptr, idx, rs, a0);
    const gr = g + ((<usize>r * k) << 2);
    for (let a = a0; a < a1; a += 4) {
      const i = load<u32>(a);
      const j = <usize>(i & 0x7fffffff);
      const v: f64 = val ? <f64>load<f32>(a + vo) : i & 0x80000000 ? -1.0 : 1.0;
      const rec = blk + j * stride;
      // Branch-free (a column's first touch is unpredictable; a mispredicted branch would serialize the misses).
      const was = load<u32>(rec + stride - 8);
      const first = was != stamp;
      // Once listed, catchUp(w, stamp, stamp − 1) leaves the weight as it is.
      if (decay) for (let c: u32 = 0; c < k; c++) store<f64>(rec + (<usize>c << 3), catchUp(load<f64>(rec + (<usize>c << 3)), was, stamp - 1, p, q, base));
      store<u32>(rec + stride - 8, stamp);
      store<u32>(list + (<usize>n << 2), <u32>j);
      n += <u32>first;
      for (let c: u32 = 0; c < k; c++) {
        const s = rec + sums + (<usize>c << 3);
        store<f64>(s, select<f64>(0, load<f64>(s), first) + <f64>load<f32>(gr + (<usize>c << 2)) * v);
      }
    }
  }
  return n;
}

/** Σ sum² over the listed columns' K sums (the sparse block's share of the gradient's squared norm). */
export function sparseSquares(blk: usize, stride: usize, list: usize, n: u32, k: u32): f64 {
  let s: f64 = 0;
  for (let m: u32 = 0; m < n; m++) {
    const rec = blk + <usize>load<u32>(list + (<usize>m << 2)) * stride + (<usize>k << 3);
    for (let c: u32 = 0; c < k; c++) {
      const a = load<f64>(rec + (<usize>c << 3));
      s += a * a;
    }
  }
  return s;
}

/**
 * The update of the listed columns (up to date at the step before, the scatter saw to it): w ← rule(w, sum·scale) with
 * rate lr; the penalty's gradient l2·w and (prox ≠ 0) its soft-threshold by lr·l1 for SGD and AdaGrad, FTRL's closed
 * form with λ1 = l1, λ2 = l2 and β = beta.
 */
export function sparseUpdate(
  rule: u32, blk: usize, stride: usize, nslots: u32, list: usize, n: u32, k: u32,
  scale: f64, lr: f64, l2: f64, l1: f64, prox: u32, beta: f64, eps: f64,
): void {
  const sums = <usize>k << 3;
  const slots = <usize>k << 4;
  for (let m: u32 = 0; m < n; m++) {
    const rec = blk + <usize>load<u32>(list + (<usize>m << 2)) * stride;
    for (let c: u32 = 0; c < k; c++) {
      const wa = rec + (<usize>c << 3);
      let w = load<f64>(wa);
      const g = load<f64>(rec + sums + (<usize>c << 3)) * scale;
      const s = rec + slots + ((<usize>c * nslots) << 3);
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
      store<f64>(wa, w);
    }
  }
}

/** Brings every column up to step `to` through the decay table (each column's stamp becomes `to`). */
export function sparseCatchUpAll(blk: usize, stride: usize, width: u32, k: u32, p: usize, q: usize, base: u32, to: u32): void {
  for (let j: usize = 0; j < <usize>width; j++) {
    const rec = blk + j * stride;
    const a = load<u32>(rec + stride - 8);
    if (a >= to) continue;
    for (let c: u32 = 0; c < k; c++) store<f64>(rec + (<usize>c << 3), catchUp(load<f64>(rec + (<usize>c << 3)), a, to, p, q, base));
    store<u32>(rec + stride - 8, to);
  }
}

/** Sets every column's stamp to `to`. */
export function sparseStampAll(blk: usize, stride: usize, width: u32, to: u32): void {
  for (let j: usize = 0; j < <usize>width; j++) store<u32>(blk + j * stride + stride - 8, to);
}

/**
 * SGD without an L1 part, whose step is linear in the sums: w_c(j) −= eta·dL/dz_rc·val_e for every entry e of rows
 * r < count, in order — the scatter and the update in one read-modify-write per entry (eta = lr/B). With a decay
 * table (decay ≠ 0: L2) a column's first entry under `stamp` (step t) brings it up to step t − 1 and scales it by
 * c = 1 − lr·l2 (the L2 gradient's share of the step), and stamps it. Run after every row of the step has been read.
 * The rows are CSR or row records, as sparseScatter's.
 */
export function sparseStepSgd(
  blk: usize, stride: usize, eta: f64, g: usize, rows: usize, count: u32, ptr: usize, idx: usize, val: usize, rs: usize, k: u32,
  stamp: u32, decay: u32, c: f64, p: usize, q: usize, base: u32,
): void {
  const vo = valueOffset(idx, val, rs);
  if (k == 1) {
    if (decay) sgdOneDecay(blk, stride, eta, g, rows, count, ptr, idx, val, rs, vo, stamp, c, p, q, base);
    else sgdOne(blk, stride, eta, g, rows, count, ptr, idx, val, rs, vo);
    return;
  }
  for (let r: u32 = 0; r < count; r++) {
    const row = <usize>load<u32>(rows + (<usize>r << 2));
    const a0 = rowFirst(row, ptr, idx, rs);
    const a1 = rowEnd(row, ptr, idx, rs, a0);
    const gr = g + ((<usize>r * k) << 2);
    for (let a = a0; a < a1; a += 4) {
      const i = load<u32>(a);
      const v: f64 = val ? <f64>load<f32>(a + vo) : i & 0x80000000 ? -1.0 : 1.0;
      const rec = blk + <usize>(i & 0x7fffffff) * stride;
      if (decay) {
        // Branch-free: once stamped, the catch-up leaves the weight as it is and the factor is 1.
        const was = load<u32>(rec + stride - 8);
        const f = select<f64>(c, 1, was != stamp);
        for (let o: u32 = 0; o < k; o++) store<f64>(rec + (<usize>o << 3), catchUp(load<f64>(rec + (<usize>o << 3)), was, stamp - 1, p, q, base) * f);
        store<u32>(rec + stride - 8, stamp);
      }
      for (let o: u32 = 0; o < k; o++) {
        const w = rec + (<usize>o << 3);
        store<f64>(w, load<f64>(w) - eta * (<f64>load<f32>(gr + (<usize>o << 2)) * v));
      }
    }
  }
}

/**
 * sparseStepSgd at K = 1 without decay (plain SGD): a row's dL/dz read once, and an indicator's term ±eta·dL/dz by its
 * sign bit — the same number as eta·(dL/dz·±1), rounding being symmetric in sign.
 */
@inline function sgdOne(
  blk: usize, stride: usize, eta: f64, g: usize, rows: usize, count: u32, ptr: usize, idx: usize, val: usize, rs: usize, vo: usize,
): void {
  for (let r: u32 = 0; r < count; r++) {
    const row = <usize>load<u32>(rows + (<usize>r << 2));
    const a0 = rowFirst(row, ptr, idx, rs);
    const a1 = rowEnd(row, ptr, idx, rs, a0);
    const gr = <f64>load<f32>(g + (<usize>r << 2));
    if (val) {
      for (let a = a0; a < a1; a += 4) {
        const rec = blk + <usize>(load<u32>(a) & 0x7fffffff) * stride;
        store<f64>(rec, load<f64>(rec) - eta * (gr * <f64>load<f32>(a + vo)));
      }
    } else {
      const eg = reinterpret<u64>(eta * gr);
      for (let a = a0; a < a1; a += 4) {
        const i = load<u32>(a);
        const rec = blk + <usize>(i & 0x7fffffff) * stride;
        store<f64>(rec, load<f64>(rec) - reinterpret<f64>(eg ^ (<u64>(i & 0x80000000) << 32)));
      }
    }
  }
}

/** sparseStepSgd at K = 1 with decay (SGD + L2): sgdOne's terms, each column first caught up and decayed (the same numbers). */
@inline function sgdOneDecay(
  blk: usize, stride: usize, eta: f64, g: usize, rows: usize, count: u32, ptr: usize, idx: usize, val: usize, rs: usize, vo: usize,
  stamp: u32, c: f64, p: usize, q: usize, base: u32,
): void {
  for (let r: u32 = 0; r < count; r++) {
    const row = <usize>load<u32>(rows + (<usize>r << 2));
    const a0 = rowFirst(row, ptr, idx, rs);
    const a1 = rowEnd(row, ptr, idx, rs, a0);
    const gr = <f64>load<f32>(g + (<usize>r << 2));
    const eg = reinterpret<u64>(eta * gr);
    for (let a = a0; a < a1; a += 4) {
      const i = load<u32>(a);
      const rec = blk + <usize>(i & 0x7fffffff) * stride;
      const was = load<u32>(rec + stride - 8);
      const w = catchUp(load<f64>(rec), was, stamp - 1, p, q, base) * select<f64>(c, 1, was != stamp);
      store<u32>(rec + stride - 8, stamp);
      const term = val ? eta * (gr * <f64>load<f32>(a + vo)) : reinterpret<f64>(eg ^ (<u64>(i & 0x80000000) << 32));
      store<f64>(rec, w - term);
    }
  }
}
