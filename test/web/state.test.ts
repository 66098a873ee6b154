// The page's rules without a browser: form parsing, which controls each run state allows, the rows slider,
// size lists, number formats, per-epoch seeds and where the GPU starts to win.
import { describe, expect, it } from 'vitest';
import {
  canSolveExactly, controlsFor, fmtCoef, fmtCount, fmtSeconds, gpuWinsFrom, LOSS_OPTIONS, niceRows,
  parseRows, parseSizeList, parseTrainForm, rowsToSlider, sliderToRows, SLIDER_STEPS, STANDARDIZE_SUPPORTED,
  type RunState, type TrainForm,
} from '../../src/web/state';

const form = (o: Partial<TrainForm> = {}): TrainForm =>
  ({ lr: '0.05', batch: '256', epochs: '10', seed: '1', fitBias: true, standardize: false, backend: 'webgpu', ...o });

describe('parseTrainForm', () => {
  it('reads good input, "full" batches and the backend choice', () => {
    const r = parseTrainForm(form({ batch: 'full', backend: 'both', standardize: true }));
    expect(r).toEqual({ ok: true, value: { lr: 0.05, batch: Infinity, epochs: 10, seed: 1, fitBias: true, standardize: STANDARDIZE_SUPPORTED, backends: ['webgpu', 'cpu'] } });
    const cpu = parseTrainForm(form({ backend: 'cpu', lr: ' 1e-3 ' }));
    expect(cpu.ok && cpu.value.backends).toEqual(['cpu']);
    expect(cpu.ok && cpu.value.lr).toBe(0.001);
  });
  it('names every bad field', () => {
    const r = parseTrainForm(form({ lr: '-1', batch: '0', epochs: '2.5', seed: 'x' }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors).sort()).toEqual(['batch', 'epochs', 'lr', 'seed']);
    expect(parseTrainForm(form({ lr: '' })).ok).toBe(false);
    expect(parseTrainForm(form({ epochs: '0' })).ok).toBe(false);
  });
});

describe('controlsFor', () => {
  const states: RunState[] = ['idle', 'loading', 'running', 'paused', 'stopping', 'done', 'stopped', 'failed'];
  it('allows Start only when nothing runs, Pause/Stop only while running or paused', () => {
    for (const s of states) {
      const c = controlsFor(s, true);
      const busy = ['loading', 'running', 'paused', 'stopping'].includes(s);
      expect(c.start, s).toBe(!busy);
      expect(c.editable, s).toBe(!busy);
      expect(c.stop, s).toBe(s === 'running' || s === 'paused');
      expect(c.export, s).toBe(!busy);
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
  it('offers the losses the engine has', () => {
    expect(LOSS_OPTIONS.map((l) => l.value)).toContain('mse');
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
