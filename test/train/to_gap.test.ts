// The search of `bench --to-gap` (src/train/to_gap.ts): smallestReaching finds the fewest iterations that reach the
// gap for every threshold and guess, never probing one k twice, and in one or two probes when the guess is right;
// summarize reports a candidate as reaching the gap only when every repeat did.
import { describe, expect, it } from 'vitest';
import { relativeGap, smallestReaching, summarize } from '../../src/train/to_gap';

describe('smallestReaching', () => {
  it('finds the threshold for every answer and guess, each k probed once', async () => {
    for (const hi of [1, 2, 7, 30]) {
      for (let answer = 1; answer <= hi; answer++) {
        for (const guess of [undefined, 1, answer - 1, answer, answer + 1, hi]) {
          const probed: number[] = [];
          const k = await smallestReaching(async (k) => (probed.push(k), k >= answer), hi, guess);
          expect(k, `hi ${hi}, answer ${answer}, guess ${guess}`).toBe(answer);
          expect(new Set(probed).size).toBe(probed.length);
          expect(probed.every((p) => p >= 1 && p < hi)).toBe(true);
          if (guess === answer) expect(probed.length).toBeLessThanOrEqual(2);
        }
      }
    }
  });
});

describe('summarize', () => {
  const who = { backend: 'cpu', device: 'x', solver: 'newton' };
  const p = (seconds: number, gap: number) => ({ seconds, iterations: 4, passes: 5, gap });
  it('takes the median and least time of repeats that all reached the gap', () => {
    const r = summarize(who, [p(3, 1e-8), p(1, 2e-8), p(2, 1e-8)], 1e-6);
    expect(r).toMatchObject({ reached: true, seconds: 2, secondsMin: 1, gap: 2e-8, iterations: 4, passes: 5 });
  });
  it('does not call a candidate reached when a repeat missed', () => {
    expect(summarize(who, [p(1, 1e-8), p(1, 2e-6)], 1e-6).reached).toBe(false);
  });
  it('measures gaps relative to |F*|', () => {
    expect(relativeGap(1.5, 1)).toBe(0.5);
    expect(relativeGap(-0.5, -1)).toBe(0.5);
    expect(relativeGap(0.25, 0)).toBe(0.25);
  });
});
