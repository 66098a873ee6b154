// The page's rules without a browser: which controls each run state allows, the rows slider,
// size lists, number formats, per-epoch seeds and where the GPU starts to win.
import { describe, expect, it } from 'vitest';
import {
  canSolveExactly, controlsFor, fmtCoef, fmtCount, fmtMetric, fmtPercent, fmtSeconds, fmtSpeedup, gpuWinsFrom, niceRows,
  parseRows, parseSizeList, rowsToSlider, sliderToRows, SLIDER_STEPS, type RunState,
} from '../../src/web/state';

describe('controlsFor', () => {
  const states: RunState[] = ['idle', 'loading', 'running', 'paused', 'stopping', 'done', 'stopped', 'diverged', 'failed'];
  it('allows Start only when nothing runs, Pause/Stop only while running or paused, Download also while paused', () => {
    for (const s of states) {
      const c = controlsFor(s, true);
      const busy = ['loading', 'running', 'paused', 'stopping'].includes(s);
      expect(c.start, s).toBe(!busy);
      expect(c.editable, s).toBe(!busy);
      expect(c.stop, s).toBe(s === 'running' || s === 'paused');
      expect(c.export, s).toBe(!busy || s === 'paused');
    }
    expect(controlsFor('paused', false).pauseLabel).toBe('Resume');
    expect(controlsFor('running', false).pauseLabel).toBe('Pause');
    expect(controlsFor('stopped', false).export).toBe(false);
  });
});

describe('the rows slider', () => {
  it('spans 100 to 4M rows on a log scale with round numbers', () => {
    expect(sliderToRows(0)).toBe(100);
    expect(sliderToRows(SLIDER_STEPS)).toBe(4_000_000);
    for (let p = 0; p <= SLIDER_STEPS; p += 37) {
      const rows = sliderToRows(p);
      expect(niceRows(rows)).toBe(rows);
      expect(Math.abs(rowsToSlider(rows) - p)).toBeLessThanOrEqual(6);
    }
    expect(niceRows(1234)).toBe(1200);
    expect(parseRows('1,000,000')).toBe(1_000_000);
    expect(parseRows('99')).toBeNull();
    expect(parseRows('5000000')).toBeNull();
  });
});

describe('sizes, formats and seeds', () => {
  it('parses size lists with k and M', () => {
    expect(parseSizeList('1k, 10k 100k,1M')).toEqual([1000, 10_000, 100_000, 1_000_000]);
    expect(parseSizeList('64,64,2.5k')).toEqual([64, 2500]);
    expect(parseSizeList('ten')).toBeNull();
    expect(parseSizeList('')).toBeNull();
  });
  it('formats counts, seconds and coefficients', () => {
    expect([fmtCount(200), fmtCount(2000), fmtCount(1_234_567), fmtCount(3e9)]).toEqual(['200', '2k', '1.23M', '3G']);
    expect([fmtSeconds(5e-4), fmtSeconds(0.0123), fmtSeconds(1.5), fmtSeconds(NaN)]).toEqual(['500 µs', '12.3 ms', '1.50 s', '—']);
    expect([fmtCoef(3), fmtCoef(-0.19801), fmtCoef(1e-5), fmtCoef(undefined)]).toEqual(['3.0000', '-0.1980', '1.000e-5', '—']);
  });
  it('solves exactly only within the budget', () => {
    expect(canSolveExactly(1_000_000, 16, true)).toBe(true);
    expect(canSolveExactly(4_000_000, 64, true)).toBe(false);
  });
  it('formats metrics and speed-ups readably', () => {
    expect([fmtMetric(0.98765), fmtMetric(-1.7264613348253055e25), fmtMetric(1.3e27), fmtMetric(2e-6), fmtMetric(0), fmtMetric(NaN)])
      .toEqual(['0.9877', '-1.726e+25', '1.300e+27', '2.000e-6', '0', '—']);
    expect([fmtPercent(0.97125), fmtPercent(1)]).toEqual(['97.13%', '100%']);
    expect([fmtSpeedup(3.21), fmtSpeedup(0.008), fmtSpeedup(1), fmtSpeedup(NaN)]).toEqual(['3.21× faster', '125× slower', '1× faster', '…']);
    expect([fmtSpeedup(1 / 217.4), fmtSpeedup(2119.4)]).toEqual(['217× slower', '2,119× faster']);
  });
});

describe('gpuWinsFrom', () => {
  it('finds the size from which the GPU stays faster', () => {
    expect(gpuWinsFrom([{ x: 1e3, cpu: 1, gpu: 2 }, { x: 1e5, cpu: 5, gpu: 1 }, { x: 1e4, cpu: 2, gpu: 1.5 }])).toBe(1e4);
    expect(gpuWinsFrom([{ x: 1, cpu: 1, gpu: 0.5 }, { x: 2, cpu: 1, gpu: 2 }])).toBeNull();
    expect(gpuWinsFrom([{ x: 1, cpu: 1, gpu: 2 }])).toBeNull();
    expect(gpuWinsFrom([])).toBeNull();
  });
});
