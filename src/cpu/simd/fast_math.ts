// Vectorized f32 exp, log and log1p for the loss parts (losses/*.ts): four lanes at once, branch-free, in place of
// the standard library's scalar software Mathf.exp/Mathf.log. Cephes' expf/logf polynomials (≤ ~2 ulps; checked
// against f64 in test/cpu/fast_math.test.ts). The parts take rows four at a time, a last partial block with its other
// lanes 0 (loss_math.ts: loadRows, storeRows, addRows), so every row gets the same rounding.

/** e^x per lane: x = n·ln2 + r (|r| ≤ ln2/2), e^r by a degree-7 polynomial, 2^n from exponent bits in two
 * halves (so results down to the subnormals and up to +∞ come out right); x clamped to [−104, 89]
 * (e^−104 rounds to 0, e^89 overflows to +∞); NaN stays NaN. */
@inline export function expv(x: v128): v128 {
  // pmin/pmax (one instruction each; a NaN x passes through) rather than min/max (NaN-propagating sequences).
  const c = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-104)), f32x4.splat(89));
  const n = f32x4.nearest(f32x4.mul(c, f32x4.splat(1.44269504088896341)));
  // ln2 split: 0.693359375 has 9 significant bits, so n·hi is exact for |n| ≤ 2^15.
  const r = f32x4.sub(f32x4.sub(c, f32x4.mul(n, f32x4.splat(0.693359375))), f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  // 2^n = 2^a · 2^b with a = n >> 1, b = n − a: both factors normal for n in [−150, 129].
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const a = i32x4.shr_s(ni, 1);
  const b = i32x4.sub(ni, a);
  const sa = i32x4.shl(i32x4.add(a, i32x4.splat(127)), 23);
  const sb = i32x4.shl(i32x4.add(b, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(y, sa), sb);
}

/** ln x per lane for positive normal finite x: x = 2^e·m with m in [√½, √2), ln m = ln(1 + f) by Cephes' degree-9
 * polynomial in f; e·ln2 added in two parts. */
@inline export function logv(x: v128): v128 {
  const bits = x;
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126)); // x = 2^e · m, m in [½, 1)
  const m = v128.or(v128.and(bits, i32x4.splat(0x807fffff)), i32x4.splat(0x3f000000));
  const low = f32x4.lt(m, f32x4.splat(0.707106781186547524)); // all ones where m < √½: use 2m − 1, e − 1
  e = i32x4.add(e, low);
  const f = f32x4.sub(f32x4.add(m, v128.and(m, low)), f32x4.splat(1));
  const z = f32x4.mul(f, f);
  let p = f32x4.splat(7.0376836292e-2);
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(-1.1514610310e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.1676998740e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(-1.2420140846e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.4249322787e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(-1.6668057665e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(2.0000714765e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(-2.4999993993e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(3.3333331174e-1));
  const ef = f32x4.convert_i32x4_s(e);
  let y = f32x4.mul(f32x4.mul(p, f), z);
  y = f32x4.add(y, f32x4.mul(ef, f32x4.splat(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  return f32x4.add(f32x4.add(f, y), f32x4.mul(ef, f32x4.splat(0.693359375)));
}

/** ln(1 + x) per lane for x ≥ 0 finite: ln u with u = 1 + x rounded, plus the rounding's first-order correction
 * (x − (u − 1))/u, so tiny x gives x rather than 0. */
@inline export function log1pv(x: v128): v128 {
  const u = f32x4.add(x, f32x4.splat(1));
  const c = f32x4.div(f32x4.sub(x, f32x4.sub(u, f32x4.splat(1))), u);
  return f32x4.add(logv(u), c);
}
