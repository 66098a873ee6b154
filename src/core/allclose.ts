// Tolerance checks for parity tests: |got − want| ≤ atol + rtol·|want|, with a report of what failed.

/** Named tolerance presets; a looser one in a test carries a comment saying why. */
export const TOL = {
  f32: { atol: 1e-6, rtol: 1e-5 },
  f32Sum: { atol: 1e-5, rtol: 1e-4 },
} as const;

/** The result of comparing two arrays. */
export interface CloseReport {
  ok: boolean;
  maxAbs: number;
  maxRel: number;
  mismatches: { index: number; got: number; want: number }[];
  message: string;
}

/** Compares element-wise; NaN never passes. Lists up to 8 first mismatches. */
export function allclose(
  got: ArrayLike<number>, want: ArrayLike<number>, atol: number = TOL.f32.atol, rtol: number = TOL.f32.rtol,
): CloseReport {
  const mismatches: CloseReport['mismatches'] = [];
  let maxAbs = 0;
  let maxRel = 0;
  let bad = 0;
  if (got.length !== want.length) {
    return { ok: false, maxAbs: Infinity, maxRel: Infinity, mismatches, message: `length ${got.length} ≠ ${want.length}` };
  }
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    const err = Math.abs(g - w);
    // An infinite reference only matches itself (∞ − ∞ is NaN, and |1 − ∞| ≤ ∞ would pass).
    const close = Number.isFinite(w) ? err <= atol + rtol * Math.abs(w) : g === w;
    if (!close) {
      bad++;
      if (mismatches.length < 8) mismatches.push({ index: i, got: g, want: w });
    }
    if (!Number.isNaN(err)) {
      maxAbs = Math.max(maxAbs, err);
      if (w !== 0) maxRel = Math.max(maxRel, err / Math.abs(w));
    } else {
      maxAbs = NaN;
    }
  }
  const first = mismatches.map((m) => `[${m.index}] got ${m.got} want ${m.want}`).join('; ');
  const message = bad === 0
    ? `all ${want.length} within atol ${atol}, rtol ${rtol} (max abs err ${maxAbs.toExponential(2)})`
    : `${bad}/${want.length} outside atol ${atol}, rtol ${rtol}; max abs err ${maxAbs}, max rel err ${maxRel}; first: ${first}`;
  return { ok: bad === 0, maxAbs, maxRel, mismatches, message };
}
