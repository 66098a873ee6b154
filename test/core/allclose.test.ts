// Unit tests for the parity checker (src/core/allclose.ts): |got − want| ≤ atol + rtol·|want|, NaN never
// passes, and failures report where and by how much.
import { describe, expect, it } from 'vitest';
import { allclose, TOL } from '../../src/core/allclose';

describe('allclose', () => {
  it('passes identical arrays, with zero error and a message saying so', () => {
    const a = Float32Array.of(1, -2, 3.5, 0);
    const r = allclose(a, Float64Array.from(a));
    expect(r.ok).toBe(true);
    expect(r.maxAbs).toBe(0);
    expect(r.maxRel).toBe(0);
    expect(r.mismatches).toEqual([]);
    expect(r.message).toMatch(/^all 4 within/);
  });

  it('passes empty arrays', () => {
    expect(allclose([], []).ok).toBe(true);
  });

  it('uses the f32 preset (atol 1e-6, rtol 1e-5) by default', () => {
    expect(TOL.f32).toEqual({ atol: 1e-6, rtol: 1e-5 });
    // Bound at want = 1 is 1e-6 + 1e-5 = 1.1e-5.
    expect(allclose([1 + 1.0e-5], [1]).ok).toBe(true);
    expect(allclose([1 + 1.2e-5], [1]).ok).toBe(false);
    // At want = 0 only atol counts.
    expect(allclose([0.9e-6], [0]).ok).toBe(true);
    expect(allclose([1.1e-6], [0]).ok).toBe(false);
  });

  it('scales the bound with |want| (rtol) and is symmetric in the sign of the error', () => {
    expect(allclose([1e6 + 9], [1e6], 0, 1e-5).ok).toBe(true);
    expect(allclose([1e6 - 9], [1e6], 0, 1e-5).ok).toBe(true);
    expect(allclose([1e6 + 11], [1e6], 0, 1e-5).ok).toBe(false);
    expect(allclose([-1e6 - 11], [-1e6], 0, 1e-5).ok).toBe(false);
    // The relative bound is taken on want, not got.
    // |2 − 1| = 1 > 0.6·|1|, but |1 − 2| = 1 ≤ 0.6·|2|.
    expect(allclose([2], [1], 0, 0.6).ok).toBe(false);
    expect(allclose([1], [2], 0, 0.6).ok).toBe(true);
  });

  it('honours explicit atol and rtol arguments', () => {
    expect(allclose([1.05], [1], 0.1, 0).ok).toBe(true);
    expect(allclose([1.05], [1], 0.01, 0).ok).toBe(false);
    expect(allclose([1.05], [1], TOL.f32Sum.atol, TOL.f32Sum.rtol).ok).toBe(false);
  });

  it('reports mismatches with index, got and want, the max errors and a count in the message', () => {
    const want = [1, 2, 3, 4, 5];
    const got = [1, 2.5, 3, 3, 5];
    const r = allclose(got, want);
    expect(r.ok).toBe(false);
    expect(r.mismatches).toEqual([{ index: 1, got: 2.5, want: 2 }, { index: 3, got: 3, want: 4 }]);
    expect(r.maxAbs).toBe(1);
    expect(r.maxRel).toBe(0.25);
    expect(r.message).toContain('2/5 outside');
    expect(r.message).toContain('[1] got 2.5 want 2');
    expect(r.message).toContain('[3] got 3 want 4');
  });

  it('lists at most 8 mismatches but counts them all', () => {
    const want = new Array<number>(20).fill(0);
    const got = want.map((_, i) => i + 1);
    const r = allclose(got, want);
    expect(r.mismatches).toHaveLength(8);
    expect(r.mismatches.map((m) => m.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(r.message).toContain('20/20 outside');
    expect(r.maxAbs).toBe(20);
  });

  it('never passes NaN: in got, in want, or in both', () => {
    for (const [g, w] of [[NaN, 1], [1, NaN], [NaN, NaN]]) {
      const r = allclose([0, g], [0, w], 1e30, 1);
      expect(r.ok, `got ${g} want ${w}`).toBe(false);
      expect(r.mismatches).toHaveLength(1);
      expect(r.mismatches[0].index).toBe(1);
      expect(r.maxAbs).toBeNaN();
    }
  });

  it('keeps maxAbs NaN once a NaN is seen, even if later errors are finite', () => {
    const r = allclose([NaN, 5], [0, 0]);
    expect(r.maxAbs).toBeNaN();
    expect(r.ok).toBe(false);
  });

  it('fails an infinite got against a finite want', () => {
    expect(allclose([Infinity], [1e30]).ok).toBe(false);
    expect(allclose([-Infinity], [0]).ok).toBe(false);
  });

  // For want = ±∞ the bound atol + rtol·∞ is ∞, so a plain |got − want| ≤ bound would let any finite or
  // opposite-signed got pass (err = ∞ ≤ ∞): an infinite reference must be matched exactly.
  it('matches an infinite want only with the same infinity', () => {
    expect(allclose([1], [-Infinity]).ok).toBe(false);
    expect(allclose([-Infinity], [Infinity]).ok).toBe(false);
    expect(allclose([1e308], [Infinity], 0, 1).ok).toBe(false);
    expect(allclose([Infinity, -Infinity], [Infinity, -Infinity]).ok).toBe(true);
  });

  it('fails on a length mismatch with a message giving both lengths', () => {
    const r = allclose([1, 2, 3], [1, 2]);
    expect(r.ok).toBe(false);
    expect(r.message).toBe('length 3 ≠ 2');
    expect(r.maxAbs).toBe(Infinity);
  });
});
