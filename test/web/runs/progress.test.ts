// The progress line's words and clock without a browser: durations, epoch x/N, the time left estimated from the
// training rate after the first report (reading and compiling before it do not count), pauses left out.
import { describe, expect, it } from 'vitest';
import { epochText, fmtDuration, RunClock, timeText } from '../../../src/web/runs/progress';

describe('the progress line', () => {
  it('writes durations and epochs', () => {
    expect([fmtDuration(0.42), fmtDuration(12.4), fmtDuration(185), fmtDuration(3725), fmtDuration(NaN)]).toEqual(['0.4 s', '12 s', '3 min 05 s', '1 h 02 min', '—']);
    expect([epochText(0, 10), epochText(2.5, 10), epochText(10, 10), epochText(0, 1_000_000)]).toEqual(['epoch 1/10', 'epoch 3/10', 'epoch 10/10', 'epoch 1/1,000,000']);
    expect(timeText(12, 40)).toBe('12 s elapsed · about 40 s left');
    expect(timeText(3, null)).toBe('3 s elapsed');
  });

  it('estimates the time left from the rate since the first report, pauses left out', () => {
    const c = new RunClock(100);
    expect(c.eta(0, 10, 108)).toBeNull(); // 8 s of compiling: no estimate yet
    expect(c.eta(1, 10, 110)).toBeNull(); // the first report starts the rate's clock
    expect(c.eta(3, 10, 114)).toBeCloseTo(14, 9); // 2 epochs in 4 s: 7 more take 14 s
    c.pause(114);
    expect(c.elapsed(200)).toBeCloseTo(14, 9);
    c.resume(200);
    expect(c.elapsed(202)).toBeCloseTo(16, 9);
    expect(c.eta(4, 10, 202)).toBeCloseTo(12, 9); // 3 epochs in 6 s of training
    expect(c.eta(10, 10, 210)).toBeNull();
  });
});
