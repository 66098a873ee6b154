// AssemblyScript (compiled to WebAssembly SIMD128 at build time by vite.plugins.ts `?simd`): the O(D) parts of
// the fast CPU backend's row pass over a block of rows — row indices (the keyed Feistel permutation of
// core/permute.ts), a prefetching touch, the gather into a contiguous block (standardizing on the way), the K
// outputs z = x'·W_c + b_c and the gradient sums Σ_r dL/dz_rc·x'_r added into f64. The loss itself is evaluated
// between the two by the registry's f64 TypeScript (src/cpu/simd_rows.ts). Pointers are byte offsets into the
// imported memory; rows are rb bytes (D floats zero-padded to a multiple of 4); f32 math, f64 gradient sums.

@inline function mix32(v: u32): u32 {
  let h = v;
  h ^= h >> 16;
  h *= 0x7feb352d;
  h ^= h >> 15;
  h *= 0x846ca68b;
  h ^= h >> 16;
  return h;
}

/** Index i's position in [0, n) under the 4-round Feistel network of half width hb keyed by `key`. */
@inline function permute(i: u32, n: u32, key: u32, hb: u32): u32 {
  const mask: u32 = (1 << hb) - 1;
  let v = i;
  while (true) {
    let l = v >> hb;
    let r = v & mask;
    for (let round: u32 = 0; round < 4; round++) {
      const t = r;
      r = l ^ (mix32(r ^ (key + round * 0x9e3779b9)) & mask);
      l = t;
    }
    v = (l << hb) | r;
    if (v < n) return v;
  }
}

/** out[i] = the row at position start + i of a chunk of n rows: permuted when `shuffle`, else in order. */
export function rowIndices(out: usize, start: u32, count: u32, n: u32, key: u32, hb: u32, shuffle: u32): void {
  for (let i: u32 = 0; i < count; i++) {
    store<u32>(out + (<usize>i << 2), shuffle ? permute(start + i, n, key, hb) : start + i);
  }
}

/**
 * Loads one word of every 64-byte line of the named rows and their targets, so that later reads hit the cache. Row r's
 * x starts at x + r·xs and its target at y + r·ys (xs = rb, ys = 4 for a slot's arrays; a row record's stride for both).
 */
export function touch(x: usize, y: usize, rb: usize, xs: usize, ys: usize, idx: usize, count: u32): u32 {
  let acc: u32 = 0;
  for (let r: u32 = 0; r < count; r++) {
    const row = <usize>load<u32>(idx + (<usize>r << 2));
    acc ^= load<u32>(y + row * ys);
    const src = x + row * xs;
    for (let j: usize = 0; j < rb; j += 64) acc ^= load<u32>(src + j);
  }
  return acc;
}

/**
 * Copies the named rows into xb (x' = (x − mean)·invStd when norm ≠ 0: mean then invStd, rb bytes each) and their
 * targets into yb; strides xs and ys as touch's.
 */
export function gather(xb: usize, yb: usize, x: usize, y: usize, rb: usize, xs: usize, ys: usize, idx: usize, count: u32, norm: usize): void {
  for (let r: u32 = 0; r < count; r++) {
    const row = <usize>load<u32>(idx + (<usize>r << 2));
    const src = x + row * xs;
    const dst = xb + <usize>r * rb;
    if (norm) {
      for (let j: usize = 0; j < rb; j += 16) {
        v128.store(dst + j, f32x4.mul(f32x4.sub(v128.load(src + j), v128.load(norm + j)), v128.load(norm + rb + j)));
      }
    } else {
      for (let j: usize = 0; j < rb; j += 16) v128.store(dst + j, v128.load(src + j));
    }
    store<f32>(yb + (<usize>r << 2), load<f32>(y + row * ys));
  }
}

/** dst[r] = src[idx[r]] for an f32 column (a row's sample weight or offset), r < count. */
export function gatherColumn(dst: usize, src: usize, idx: usize, count: u32): void {
  for (let r: u32 = 0; r < count; r++) store<f32>(dst + (<usize>r << 2), load<f32>(src + (<usize>load<u32>(idx + (<usize>r << 2)) << 2)));
}

/** 1 when each of the count f32 at p is finite (|v| < ∞ is false for NaN and ±∞), else 0: the readers' value check, four lanes a step. */
export function allFinite(p: usize, count: u32): u32 {
  const inf = f32x4.splat(Infinity);
  let ok = i32x4.splat(-1);
  let i: u32 = 0;
  for (; i + 4 <= count; i += 4) ok = v128.and(ok, f32x4.lt(f32x4.abs(v128.load(p + (<usize>i << 2))), inf));
  let all: u32 = i32x4.all_true(ok) ? 1 : 0;
  for (; i < count; i++) if (!(Mathf.abs(load<f32>(p + (<usize>i << 2))) < Infinity)) all = 0;
  return all;
}

/** z[r] += o[r] for r < count (offsets added to one output per row). */
export function addColumn(z: usize, o: usize, count: u32): void {
  for (let r: u32 = 0; r < count; r++) store<f32>(z + (<usize>r << 2), load<f32>(z + (<usize>r << 2)) + load<f32>(o + (<usize>r << 2)));
}

@inline function hsum(a: v128): f32 {
  const s = f32x4.add(a, v128.shuffle<f32>(a, a, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

/** [Σa0, Σa1, Σa2, Σa3]: the lane sums of four vectors in one vector. */
@inline function hsum4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const s01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 1, 4, 5), v128.shuffle<f32>(a0, a1, 2, 3, 6, 7));
  const s23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 1, 4, 5), v128.shuffle<f32>(a2, a3, 2, 3, 6, 7));
  return f32x4.add(v128.shuffle<f32>(s01, s23, 0, 2, 4, 6), v128.shuffle<f32>(s01, s23, 1, 3, 5, 7));
}

/**
 * One output: z[r] = xb[r]·w + b[0], four rows at a time sharing each load of w, two vectors per step so eight
 * independent sums hide the add latency (4.5 vs 5.0 ns per row at D = 64, measured in L1).
 */
function outputs1(z: usize, xb: usize, count: u32, rb: usize, w: usize, b: usize): void {
  const bias = f32x4.splat(load<f32>(b));
  let r: u32 = 0;
  for (; r + 4 <= count; r += 4) {
    const p0 = xb + <usize>r * rb;
    const p1 = p0 + rb;
    const p2 = p1 + rb;
    const p3 = p2 + rb;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
    let j: usize = 0;
    for (; j + 32 <= rb; j += 32) {
      const wv = v128.load(w + j);
      const wu = v128.load(w + j, 16);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(p0 + j), wv));
      c0 = f32x4.add(c0, f32x4.mul(v128.load(p0 + j, 16), wu));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(p1 + j), wv));
      c1 = f32x4.add(c1, f32x4.mul(v128.load(p1 + j, 16), wu));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(p2 + j), wv));
      c2 = f32x4.add(c2, f32x4.mul(v128.load(p2 + j, 16), wu));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(p3 + j), wv));
      c3 = f32x4.add(c3, f32x4.mul(v128.load(p3 + j, 16), wu));
    }
    if (j < rb) {
      const wv = v128.load(w + j);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(p0 + j), wv));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(p1 + j), wv));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(p2 + j), wv));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(p3 + j), wv));
    }
    const s = hsum4(f32x4.add(a0, c0), f32x4.add(a1, c1), f32x4.add(a2, c2), f32x4.add(a3, c3));
    v128.store(z + (<usize>r << 2), f32x4.add(s, bias));
  }
  for (; r < count; r++) {
    const p = xb + <usize>r * rb;
    let a = f32x4.splat(0);
    for (let j: usize = 0; j < rb; j += 16) a = f32x4.add(a, f32x4.mul(v128.load(p + j), v128.load(w + j)));
    store<f32>(z + (<usize>r << 2), hsum(a) + load<f32>(b));
  }
}

/** K outputs: z[r·K + c] = xb[r]·W_c + b[c], four outputs at a time sharing each load of the row. */
function outputsK(z: usize, xb: usize, count: u32, rb: usize, w: usize, b: usize, k: u32): void {
  for (let r: u32 = 0; r < count; r++) {
    const p = xb + <usize>r * rb;
    const zr = z + (<usize>r * k << 2);
    let c: u32 = 0;
    for (; c + 4 <= k; c += 4) {
      const wc = w + <usize>c * rb;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      for (let j: usize = 0; j < rb; j += 16) {
        const xv = v128.load(p + j);
        a0 = f32x4.add(a0, f32x4.mul(xv, v128.load(wc + j)));
        a1 = f32x4.add(a1, f32x4.mul(xv, v128.load(wc + rb + j)));
        a2 = f32x4.add(a2, f32x4.mul(xv, v128.load(wc + 2 * rb + j)));
        a3 = f32x4.add(a3, f32x4.mul(xv, v128.load(wc + 3 * rb + j)));
      }
      v128.store(zr + (<usize>c << 2), f32x4.add(hsum4(a0, a1, a2, a3), v128.load(b + (<usize>c << 2))));
    }
    for (; c < k; c++) {
      const wc = w + <usize>c * rb;
      let a = f32x4.splat(0);
      for (let j: usize = 0; j < rb; j += 16) a = f32x4.add(a, f32x4.mul(v128.load(p + j), v128.load(wc + j)));
      store<f32>(zr + (<usize>c << 2), hsum(a) + load<f32>(b + (<usize>c << 2)));
    }
  }
}

/** z[r·K + c] = xb[r]·W_c + b[c] for a block of rows (W: K rows of rb bytes, b: K floats). */
export function outputs(z: usize, xb: usize, count: u32, rb: usize, w: usize, b: usize, k: u32): void {
  if (k == 1) outputs1(z, xb, count, rb, w, b);
  else outputsK(z, xb, count, rb, w, b, k);
}

/** Adds a vector of four f32 sums into two f64x2 at q. */
@inline function addF64(q: usize, a: v128): void {
  v128.store(q, f64x2.add(v128.load(q), f64x2.promote_low_f32x4(a)));
  v128.store(q, f64x2.add(v128.load(q, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(a, a, 2, 3, 0, 1))), 16);
}

/** G[c·D' + j] += Σ_r g[r·K + c]·xb[r][j] in f64 (G: K rows of rb/4 f64), the block's sums taken in f32 registers. */
export function accumulate(G: usize, g: usize, xb: usize, count: u32, rb: usize, k: u32): void {
  const gs = <usize>k << 2;
  for (let c: u32 = 0; c < k; c++) {
    const gc = g + (<usize>c << 2);
    const Gc = G + <usize>c * (rb << 1);
    let j: usize = 0;
    for (; j + 64 <= rb; j += 64) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      for (let r: u32 = 0; r < count; r++) {
        const gv = v128.load32_splat(gc + <usize>r * gs);
        const p = xb + <usize>r * rb + j;
        a0 = f32x4.add(a0, f32x4.mul(gv, v128.load(p)));
        a1 = f32x4.add(a1, f32x4.mul(gv, v128.load(p, 16)));
        a2 = f32x4.add(a2, f32x4.mul(gv, v128.load(p, 32)));
        a3 = f32x4.add(a3, f32x4.mul(gv, v128.load(p, 48)));
      }
      const q = Gc + (j << 1);
      addF64(q, a0);
      addF64(q + 32, a1);
      addF64(q + 64, a2);
      addF64(q + 96, a3);
    }
    for (; j < rb; j += 16) {
      let a = f32x4.splat(0);
      for (let r: u32 = 0; r < count; r++) {
        a = f32x4.add(a, f32x4.mul(v128.load32_splat(gc + <usize>r * gs), v128.load(xb + <usize>r * rb + j)));
      }
      addF64(Gc + (j << 1), a);
    }
  }
}

export { sparseOutputs, sparseTouch } from './sparse';
export { sparseCatchUpAll, sparseStampAll, sparseScatter, sparseSquares, sparseStepSgd, sparseUpdate } from './sparse_update';
export { csrRecords, recordStats } from './records';
export { exp_rows, log_rows, log1p_rows } from './math_rows';
