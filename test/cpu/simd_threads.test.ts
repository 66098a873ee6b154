// The fast CPU backend's thread-count chooser (src/cpu/simd_threads.ts) driven by injected job times: untimed jobs on
// every thread first, then probe rounds in two blocks with warm-up jobs not counted, the median per side deciding,
// rounds spaced 4 × `first`, 16 ×, … up to `every` jobs apart and brought back close after a changed choice, size
// classes (and training apart from evaluation) kept apart, jobs of `large` bytes always on every thread. No clocks.
import { describe, expect, it } from 'vitest';
import { ThreadChooser } from '../../src/cpu/simd_threads';

/** Runs `jobs` jobs of `bytes` through the chooser, timing each with `time(all, job)`; returns the sides picked ('A' all, '1' one). */
function drive(c: ThreadChooser, jobs: number, bytes: number, time: (all: boolean, job: number) => number): string {
  let s = '';
  for (let j = 0; j < jobs; j++) {
    const all = c.pick(bytes);
    s += all ? 'A' : '1';
    c.done(time(all, j) * (bytes / 1e6));
  }
  return s;
}

describe('ThreadChooser', () => {
  it('starts on every thread, probes every thread then one thread, each block led by an uncounted job, and keeps the faster', () => {
    const c = new ThreadChooser({ probe: 3, warm: 1, first: 4, every: 8 });
    // All threads twice as fast: 4 untimed jobs, the probe round (AAAA 1111), then 8 jobs on all threads.
    expect(drive(c, 20, 1e6, (all) => (all ? 1 : 2))).toBe('AAAA' + 'AAAA1111' + 'AAAAAAAA');
    expect(c.choice(1e6)).toBe(true);
    // The second round leads with one thread (odd rounds do); one thread is now faster, and since the choice
    // changed, the next round comes `first` jobs later again (not 8).
    const two = drive(c, 8 + 4 + 8, 1e6, (all) => (all ? 3 : 1));
    expect(two).toBe('1111AAAA' + '1111' + 'AAAA1111');
    expect(c.choice(1e6)).toBe(false);
    expect([c.jobsAll, c.jobsAlone]).toEqual([24, 16]);
  });

  it('decides by the median per byte: one disturbed job does not flip the choice, and uncounted jobs are ignored', () => {
    const c = new ThreadChooser({ probe: 3, warm: 1, first: 0, every: 256 });
    // No untimed start (first: 0). Jobs 0 and 4 lead their blocks (uncounted: 100× slow); job 2, all threads, is preempted (50× slow).
    const times = (all: boolean, j: number) => (j === 0 || j === 4 ? 100 : j === 2 ? 50 : all ? 1 : 1.5);
    drive(c, 8, 1 << 20, times);
    expect(c.choice(1 << 20)).toBe(true);
    // A tie goes to one thread (less CPU for the same time).
    const d = new ThreadChooser({ probe: 1, warm: 0, first: 0, every: 0 });
    drive(d, 2, 5000, () => 1);
    expect(d.choice(5000)).toBe(false);
  });

  it('spaces probe rounds 16, 64, … up to `every` jobs while the choice holds, and comes back to `first` when it changes', () => {
    const c = new ThreadChooser({ probe: 3, warm: 1, first: 4, every: 64 });
    // All threads win every round, so one-thread jobs appear only in probe rounds (at 4, 28, 100, 172).
    const s = drive(c, 4 + 8 + 16 + 8 + 64 + 8 + 64 + 8, 3e5, (all) => (all ? 1 : 2));
    const rounds = [4, 28, 100, 172];
    expect(rounds.map((r, i) => s.slice(r, r + 8))).toEqual(rounds.map((_, i) => (i % 2 ? '1111AAAA' : 'AAAA1111')));
    expect(s.replace(/1/g, '').length).toBe(s.length - 4 * rounds.length);
    // Now one thread wins the round after 64 more jobs; since the choice changed, the next round is 4 jobs later.
    const e = drive(c, 64 + 8 + 4 + 8, 3e5, (all) => (all ? 2 : 1));
    expect(e.slice(0, 64)).toBe('A'.repeat(64));
    expect(e.slice(64)).toBe('AAAA1111' + '1111' + '1111AAAA');
  });

  it('keeps size classes apart: a small job size can choose one thread while a large one keeps every thread', () => {
    const c = new ThreadChooser({ probe: 3, warm: 1, first: 2, every: 256, large: Infinity });
    const time = (bytes: number) => (all: boolean) => (bytes < 1e7 ? (all ? 2 : 1) : all ? 1 : 2);
    for (let r = 0; r < 10; r++) {
      drive(c, 1, 4096 * 260, time(4096 * 260));
      drive(c, 1, 1 << 28, time(1 << 28));
    }
    // 4096 × 260 bytes (2^20 … 2^21 − 1) is one class, 2^28 another; 2^20 + 5 shares the first's; evaluations of
    // the same sizes have classes of their own (not probed yet: every thread).
    expect([c.choice(4096 * 260), c.choice((1 << 20) + 5), c.choice(1 << 28)]).toEqual([false, false, true]);
    drive(c, 8, 4096 * 260, () => 1);
    expect(c.choice(4096 * 260)).toBe(false);
    expect(c.choice(4096 * 260, false)).toBe(true);
    c.pick(4096 * 260, false);
    expect(c.jobsAll).toBe(6 + 6 + 0 + 1); // 2 untimed + 4 probed per class, none while one thread holds, the evaluation's first
    expect(() => new ThreadChooser({ probe: 0 })).toThrow(/tuning/);
  });

  it('runs jobs of `large` bytes or more on every thread without probing them, and leaves smaller classes as they were', () => {
    const c = new ThreadChooser({ probe: 3, warm: 1, first: 4, every: 8, large: 1 << 25 });
    // One thread would be faster at every size: large jobs never try it; a smaller class probes and switches.
    expect(drive(c, 20, 1 << 25, (all) => (all ? 2 : 1))).toBe('A'.repeat(20));
    expect(drive(c, 12, (1 << 25) - 1, (all) => (all ? 2 : 1))).toBe('AAAA' + 'AAAA1111');
    expect([c.choice(1 << 25), c.choice((1 << 25) - 1), c.choice(1 << 25, false)]).toEqual([true, false, true]);
    expect([c.jobsAll, c.jobsAlone]).toEqual([28, 4]);
    expect(new ThreadChooser().tuning.large).toBe(32 << 20);
  });
});
