// A training worker's per-step points on their way to the page, posted in batches: the first at once, then at most one
// message each STEP_POST_MS (a run of small steps posted one message a step, and the page spent its main thread
// receiving them). The worker flushes before any other message of the run, so the page sees them in order.
import type { StepPoint } from './loop';

/** Least milliseconds between two batches of steps. */
export const STEP_POST_MS = 50;

/** Step points collected and sent in batches (a timer sends the last ones when no more come). */
export class StepBatch {
  private points: StepPoint[] = [];
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly send: (points: StepPoint[]) => void, private readonly now: () => number = () => performance.now()) {}

  add(p: StepPoint): void {
    this.points.push(p);
    if (this.now() - this.last >= STEP_POST_MS) this.flush();
    else this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush();
    }, STEP_POST_MS);
  }

  /** Sends what is collected now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.points.length === 0) return;
    const out = this.points;
    this.points = [];
    this.last = this.now();
    this.send(out);
  }
}
