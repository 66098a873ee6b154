// The charts' number labels and series helpers without a browser: compact tick labels from 1e-12 to 1e27
// (negative too), label sets that tell ticks apart, gutters that fit them, log-axis ticks, EMA smoothing and
// exact batch labels, linear ticks on 1-2-5 steps and equal-scale boxes.
import { describe, expect, it } from 'vitest';
import { BoundedSeries, cappedRange, equalAspect, fmtBatch, fmtNumber, fmtTicks, gutterWidth, logSplits, niceTicks, smoothCentered, smoothHalf } from '../../../src/web/charts/chart_math';

describe('fmtNumber', () => {
  it('writes every magnitude compactly, 1e-12 to 1e27', () => {
    const cases: [number, string][] = [
      [0, '0'], [1e-12, '1e-12'], [2.5e-7, '2.5e-7'], [0.00012, '1.2e-4'], [0.001, '0.001'], [0.0123, '0.0123'], [0.5, '0.5'],
      [1, '1'], [12.34, '12.3'], [999, '999'], [999.6, '1k'], [1000, '1k'], [1234, '1.23k'], [20_000, '20k'], [500e6, '500M'],
      [123_456_789, '123M'], [3e9, '3G'], [4.2e12, '4.2T'], [1e15, '1e15'], [1.3e27, '1.3e27'], [1e27, '1e27'],
    ];
    for (const [v, want] of cases) expect(fmtNumber(v), String(v)).toBe(want);
  });

  it('writes negative numbers with a minus sign, and names what is not a number', () => {
    expect(fmtNumber(-2.5)).toBe('−2.5');
    expect(fmtNumber(-1.7264613348253055e25)).toBe('−1.73e25');
    expect(fmtNumber(-450_000)).toBe('−450k');
    expect(fmtNumber(-3e-9)).toBe('−3e-9');
    expect([fmtNumber(Infinity), fmtNumber(-Infinity), fmtNumber(NaN)]).toEqual(['∞', '−∞', '—']);
  });
});

describe('fmtTicks', () => {
  it('uses the fewest digits that write every tick exactly and tell them apart', () => {
    expect(fmtTicks([50, 100, 150])).toEqual(['50', '100', '150']);
    expect(fmtTicks([0.1 + 0.2, 0.6])).toEqual(['0.3', '0.6']);
    expect(fmtTicks([1250, 2500, 3750])).toEqual(['1.25k', '2.5k', '3.75k']);
    expect(fmtTicks([0, 0.5, 1, 1.5, 2])).toEqual(['0', '0.5', '1', '1.5', '2']);
    expect(fmtTicks([0, 200_000, 400_000, 600_000])).toEqual(['0', '200k', '400k', '600k']);
    expect(fmtTicks([1_000_100, 1_000_200, 1_000_300])).toEqual(['1.0001M', '1.0002M', '1.0003M']);
    expect(fmtTicks([-1e9, -5e8, 0, 5e8])).toEqual(['−1G', '−500M', '0', '500M']);
    expect(fmtTicks([1e-12, 1e-6, 1, 1e6, 1e12, 1e27])).toEqual(['1e-12', '1e-6', '1', '1M', '1T', '1e27']);
  });

  it('leaves ticks the chart dropped (null) blank', () => {
    expect(fmtTicks([1e10, null, 1e14])).toEqual(['10G', '', '100T']);
  });

  it('never labels a nonzero tick "0", and the gutter fits the longest label', () => {
    for (const t of fmtTicks([1e-5, 2e-5, 3e-5])) expect(t).not.toBe('0');
    const labels = fmtTicks([100_000_000, 200_000_000, 300_000_000]);
    expect(labels).toEqual(['100M', '200M', '300M']);
    expect(gutterWidth(labels)).toBeGreaterThanOrEqual(40);
    expect(gutterWidth(['−1.0001M'])).toBeGreaterThan(gutterWidth(['1M']));
    expect(gutterWidth(['−1.0001M'])).toBeGreaterThanOrEqual(8 * 7);
  });
});

describe('logSplits', () => {
  it('puts ticks on powers of ten, spaced out over many decades', () => {
    expect(logSplits(1, 1e4)).toEqual([1, 10, 100, 1000, 1e4]);
    const wide = logSplits(0.5, 1.6e35);
    expect(wide.length).toBeGreaterThanOrEqual(3);
    expect(wide.length).toBeLessThanOrEqual(8);
    for (const v of wide) expect(Math.log10(v) % 1).toBe(0);
    expect(wide[wide.length - 1]).toBeLessThanOrEqual(1.6e35);
    expect(logSplits(1e-12, 1e27).map((v) => fmtNumber(v))).toContain('1e-12');
  });

  it('uses 1-2-5 steps, or every digit, inside a decade or two', () => {
    expect(logSplits(0.3, 8)).toEqual([0.5, 1, 2, 5]);
    expect(logSplits(3, 8.5)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(logSplits(0.011, 0.09)).toEqual([0.02, 0.05]);
    expect(logSplits(0, 1)).toEqual([]);
    expect(logSplits(2, 2)).toEqual([2, 2]);
  });
});

describe('smoothCentered', () => {
  it('takes the median of a symmetric window, skipping what cannot be drawn', () => {
    expect(smoothCentered([1, 2, 3, 4, 5], 1, false)).toEqual([1, 2, 3, 4, 5]);
    expect(smoothCentered([1, 9, 1, 9, 1], 1, false)).toEqual([1, 1, 9, 1, 1]);
    expect(smoothCentered([5, 1, 9, 2, 8, 3, 7], 3, false)).toEqual([5, 5, 5, 5, 7, 7, 7]);
    expect(smoothCentered([1, NaN, 3], 1, false)).toEqual([1, null, 3]);
    expect(smoothCentered([10, 0, 1000], 1, true)).toEqual([10, null, 1000]);
    expect(smoothCentered([1, 4, 16, 64], 2, true)[1]).toBe(4); // an odd window: the middle value
    expect(smoothCentered([1, NaN, 4, 16], 1, true)[2]).toBe(8); // two values left: their mean on the log axis
    expect(smoothCentered([1, NaN, 4, 16], 1, false)[2]).toBe(10);
  });

  it('stays within a factor 1.5 of a loss that falls by decades, with a kink or with noise', () => {
    const n = 400;
    const kink = Array.from({ length: n }, (_, i) => (i < 3 ? 1000 / 10 ** i : 10 * (1 + 0.001 * i)));
    const trend = Array.from({ length: n }, (_, i) => 10 * Math.exp(-i / 25));
    const noisy = trend.map((v, i) => v * (1 + 0.1 * Math.sin(i * 1.7)));
    for (const raw of [kink, trend, noisy]) {
      const smooth = smoothCentered(raw, smoothHalf(n), true) as number[];
      const worst = Math.max(...raw.map((v, i) => Math.abs(Math.log10(smooth[i] / v))));
      expect(worst).toBeLessThan(Math.log10(1.5));
    }
    // and it smooths: the noisy line's smoothed values lie closer to the trend than the raw ones
    const smooth = smoothCentered(noisy, smoothHalf(n), true) as number[];
    const off = (a: number[]) => a.reduce((s, v, i) => s + Math.abs(Math.log10(v / trend[i])), 0);
    expect(off(smooth)).toBeLessThan(off(noisy) / 2);
    expect([smoothHalf(50), smoothHalf(1000), smoothHalf(1e6)]).toEqual([1, 20, 50]);
  });
});

describe('cappedRange', () => {
  it('ends the range below an explosion, and leaves a run that did not explode alone', () => {
    expect(cappedRange([1, 0.5, 0.2, 1e30, null], 100, true)).toEqual([0.2 / 1.5, 1.5]);
    expect(cappedRange([1, 0.5, 2e3], 100, false)).toEqual([0.5 - 0.025, 1 + 0.025]);
    expect(cappedRange([1, 0.5, 0.2], 100, true)).toBeNull();
  });
});

describe('fmtBatch', () => {
  it('is exact, and says "full" for a batch that covers every row', () => {
    expect(fmtBatch(4096)).toBe('4,096');
    expect(fmtBatch(1024, 20_000)).toBe('1,024');
    expect(fmtBatch(Infinity)).toBe('full');
    expect(fmtBatch(20_000, 20_000)).toBe('full (20,000)');
    expect(fmtBatch(2 ** 31, 20_000)).toBe('full (20,000)');
  });
});

describe('niceTicks', () => {
  it('takes multiples of a 1-2-5 step inside the range, no more than asked for, written exactly', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(-8.6, 8.6, 6)).toEqual([-5, 0, 5]);
    expect(niceTicks(0.1, 0.3, 2)).toEqual([0.1, 0.2, 0.3]);
    expect(niceTicks(-0.35, 0.35, 6)).toEqual([-0.2, 0, 0.2]);
    expect(niceTicks(-0.35, 0.35, 7)).toEqual([-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]);
    expect(niceTicks(1234, 5678, 4)).toEqual([2000, 4000]);
    expect(niceTicks(1234, 5678, 5)).toEqual([2000, 3000, 4000, 5000]);
    for (const [lo, hi, most] of [[-3.7, 12.1, 6], [1e-6, 7e-6, 3], [-1e9, 2.5e9, 8]] as const) {
      const t = niceTicks(lo, hi, most);
      expect(t.length).toBeGreaterThan(0);
      expect(t.length).toBeLessThanOrEqual(most + 1);
      for (const v of t) expect(v >= lo && v <= hi, `${v} in [${lo}, ${hi}]`).toBe(true);
    }
  });

  it('gives the one point of an empty range, and nothing for a range that is not finite', () => {
    expect(niceTicks(5, 5)).toEqual([5]);
    expect(niceTicks(3, 1)).toEqual([3]);
    expect(niceTicks(NaN, 1)).toEqual([]);
    expect(niceTicks(0, Infinity)).toEqual([0]);
  });
});

describe('equalAspect', () => {
  it('grows the narrower side around its center so one unit is as long on both axes', () => {
    const v = equalAspect({ x: [-10, 10], y: [-1, 1] }, 400, 200);
    expect(v.scale).toBe(20);
    expect(v.x).toEqual([-10, 10]);
    expect(v.y).toEqual([-5, 5]);
    const w = equalAspect({ x: [0, 2], y: [10, 30] }, 300, 200);
    expect(w.scale).toBe(10);
    expect(w.y).toEqual([10, 30]);
    expect(w.x).toEqual([-14, 16]);
    // Pixels per unit are the same both ways, and the box still holds the original.
    expect(300 / (w.x[1] - w.x[0])).toBeCloseTo(200 / (w.y[1] - w.y[0]), 12);
  });

  it('survives an empty box (a path that never moved)', () => {
    const v = equalAspect({ x: [1, 1], y: [2, 2] }, 100, 100);
    expect(Number.isFinite(v.scale)).toBe(true);
    expect(v.x[0]).toBeLessThanOrEqual(1);
    expect(v.x[1]).toBeGreaterThanOrEqual(1);
  });
});

describe('BoundedSeries', () => {
  it('keeps every point up to its bound, then at most the bound with x increasing, groups doubling, means kept', () => {
    const few = new BoundedSeries(8);
    for (let i = 1; i <= 8; i++) few.add(i, i * 10);
    expect([few.x, few.y, few.perPoint]).toEqual([[1, 2, 3, 4, 5, 6, 7, 8], [10, 20, 30, 40, 50, 60, 70, 80], 1]);
    few.add(9, 90); // 9 points > 8: pairs merge at the later x, the odd one out stays
    expect([few.x, few.y, few.perPoint]).toEqual([[2, 4, 6, 8, 9], [15, 35, 55, 75, 90], 2]);
    few.add(10, 100);
    expect([few.x.length, few.last]).toEqual([5, 10]); // waits for its group's second point
    few.add(11, 110);
    expect([few.x.at(-1), few.y.at(-1)]).toEqual([11, 105]);

    const long = new BoundedSeries(1000);
    const n = 1_000_000;
    let sum = 0;
    for (let i = 1; i <= n; i++) {
      long.add(i, Math.sin(i) + 2);
      sum += Math.sin(i) + 2;
    }
    expect(long.x.length).toBeLessThanOrEqual(1000);
    expect(long.x.length).toBeGreaterThan(400);
    expect(long.last).toBe(n);
    for (let i = 1; i < long.x.length; i++) expect(long.x[i]).toBeGreaterThan(long.x[i - 1]);
    expect(long.perPoint).toBe(1024);
    // Points of one group size average the run (the odd points out weigh a little differently).
    const mean = long.y.reduce((a, b) => a + b, 0) / long.y.length;
    expect(Math.abs(mean - sum / n)).toBeLessThan(1e-2);
    expect(() => new BoundedSeries(1)).toThrow(/at least 2/);
  });
});
