// Property tests for the byte-level number scanner (src/data/csv_fast.ts scanNumber): on many random
// decimal strings — short and long mantissas, leading zeros, signs, exponents near the fast-path edges — it
// returns exactly Number(s), so the float32 stored equals Math.fround(Number(s)).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { scanNumber } from '../../src/data/csv_fast';

const enc = new TextEncoder();

/** Scans s followed by a line feed (the terminator the scanner relies on). */
function scan(s: string): { v: number } {
  return { v: scanNumber(enc.encode(s + '\n'), 0) };
}

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(10));
  return s;
}

/** A random string matching [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? with lengths that cross the 15-digit edge. */
function randomNumber(rng: Rng): string {
  const sign = ['', '', '-', '+'][rng.int(4)];
  const intLen = rng.int(3) === 0 ? rng.int(22) : rng.int(6);
  const fracLen = rng.int(3) === 0 ? rng.int(22) : rng.int(8);
  let mant = digits(rng, intLen);
  if (rng.int(5) === 0) mant = '0'.repeat(rng.int(6)) + mant;
  const dot = fracLen > 0 || rng.int(4) === 0 ? '.' : '';
  mant += dot + digits(rng, fracLen);
  if (!/\d/.test(mant)) mant = `${rng.int(10)}${mant}`;
  if (mant.startsWith('.') && !/\d/.test(mant.slice(1))) mant += '5';
  const exp = rng.int(3) === 0 ? `${'eE'[rng.int(2)]}${['', '+', '-'][rng.int(3)]}${rng.int(4) === 0 ? rng.int(400) : rng.int(30)}` : '';
  return sign + mant + exp;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

describe('scanNumber', () => {
  it('equals Number(s) exactly on 100 000 random decimal strings (so also after rounding to float32)', () => {
    const rng = new Rng(123);
    let slow = 0;
    for (let k = 0; k < 100_000; k++) {
      const s = randomNumber(rng);
      if (!NUMBER.test(s)) throw new Error(`generator made a non-number "${s}"`);
      const { v } = scan(s);
      const want = Number(s);
      if (!Object.is(v, want)) throw new Error(`scanNumber("${s}") = ${v}, Number gives ${want}`);
      if (!Object.is(Math.fround(v), Math.fround(want))) throw new Error(`float32 differs for "${s}"`);
      if (s.replace(/^[+-]?0*\.?0*/, '').replace(/[eE].*$/, '').replace('.', '').length > 15) slow++;
    }
    // Both paths were exercised: long mantissas (Number fallback) and short ones (exact power-of-ten scaling).
    expect(slow).toBeGreaterThan(5_000);
    expect(slow).toBeLessThan(95_000);
  });

  it('equals Number(s) on shortest round-trip strings of random doubles and float32 values', () => {
    const rng = new Rng(5);
    for (let k = 0; k < 50_000; k++) {
      const x = (rng.float() - 0.5) * 10 ** (rng.int(40) - 20);
      for (const s of [String(x), String(Math.fround(x)), x.toFixed(6), x.toExponential(rng.int(12)), Math.fround(x).toPrecision(9)]) {
        const { v } = scan(s);
        if (!Object.is(v, Number(s))) throw new Error(`scanNumber("${s}") = ${v}, Number gives ${Number(s)}`);
      }
    }
  });

  it('handles the edges: zeros with huge exponents, -0, 15 vs 16 digits, 10^22 vs 10^23', () => {
    const cases = ['0', '-0', '+0.000', '0e999999999999', '-0.0e-5', '000123', '.5', '5.', '123456789012345', '1234567890123456',
      '9007199254740993', '1e22', '1e23', '1e-22', '1e-23', '4.9e-324', '1.7976931348623157e308', '1e309', '3.4028235e38',
      '0.1', '0.30000000000000004', '12345678901234567890e-10', `0.${'0'.repeat(30)}1`, `1${'0'.repeat(40)}`];
    for (const s of cases) expect(Object.is(scan(s).v, Number(s)), s).toBe(true);
  });

  it('skips spaces around the number and stops at the next other byte', () => {
    const b = enc.encode('  -1.5e2  ,7\n');
    expect(scanNumber(b, 0)).toBe(-150);
    expect(scanNumber(b, 11)).toBe(7);
  });

  it('returns NaN for text that is not a number', () => {
    for (const s of ['', ' ', '.', '-', '+.', 'e5', '.e1', '1e', '1e+', '1E-', 'x1', '-+1', '--1', 'NaN', 'Infinity']) {
      expect(scan(s).v, JSON.stringify(s)).toBeNaN();
    }
  });
});
