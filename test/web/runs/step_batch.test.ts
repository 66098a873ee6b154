// The worker's step points in batches (src/web/runs/step_batch.ts): the first at once, then at most one batch each
// STEP_POST_MS, the last ones sent by a timer or by flush, in order and none lost.
import { describe, expect, it, vi } from 'vitest';
import { STEP_POST_MS, StepBatch } from '../../../src/web/runs/step_batch';

const pt = (step: number) => ({ step, loss: 1 / step, done: step / 100 });

describe('StepBatch', () => {
  it('sends the first point at once, batches the rest by time, and flushes or times out the tail', () => {
    vi.useFakeTimers();
    try {
      let t = 0;
      const sent: number[][] = [];
      const b = new StepBatch((points) => sent.push(points.map((p) => p.step)), () => t);
      b.add(pt(1));
      expect(sent).toEqual([[1]]);
      for (let s = 2; s <= 5; s++) {
        t += 10;
        b.add(pt(s));
      }
      expect(sent).toEqual([[1]]); // 40 ms since the last batch
      t += STEP_POST_MS;
      b.add(pt(6));
      expect(sent).toEqual([[1], [2, 3, 4, 5, 6]]);
      t += 1;
      b.add(pt(7));
      b.flush(); // before another message of the run
      expect(sent).toEqual([[1], [2, 3, 4, 5, 6], [7]]);
      b.flush();
      expect(sent).toHaveLength(3); // nothing left: no empty batch
      t += 1;
      b.add(pt(8));
      vi.advanceTimersByTime(STEP_POST_MS); // no more steps come: the timer sends the last
      expect(sent.at(-1)).toEqual([8]);
      expect(sent.flat()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    } finally {
      vi.useRealTimers();
    }
  });
});
