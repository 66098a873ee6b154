// Where a training loop sends its steps: hands them to the backend in groups (many per submit), reads the
// recorded batch losses back once per window, and in host-update mode takes the step in TypeScript (the notes'
// literal loop: read the gradient, apply the optimizer's CPU twin, write the parameters and state back).
import type { TrainSession } from '../backend';
import type { ModelSpec } from '../core/model';
import { applyStep } from '../core/optim/apply';
import type { Step } from '../core/schedule';

// Steps handed to the backend at a time: large enough to amortize a submit, small enough that the GPU
// starts while the host is still encoding the rest of the window.
const ENQUEUE_STEPS = 256;

/** Collects an epoch's steps and their batch losses. */
export class StepSink {
  readonly losses: number[] = [];
  rowsDone = 0;
  private window: Step[] = [];
  private enqueued = 0;

  constructor(
    private readonly session: TrainSession, private readonly windowSize: number, private readonly hostUpdate: boolean,
    private readonly model: ModelSpec, private readonly onWindow?: (rowsDone: number, lastLoss: number) => void,
    private readonly pause?: () => Promise<void>, private readonly afterWindow?: (losses: readonly number[]) => Promise<void>,
  ) {}

  /** Takes one step (queued; run at the latest by `enqueue` or `flush`). */
  async push(step: Step): Promise<void> {
    if (this.hostUpdate) {
      const g = await this.session.gradient(step);
      const p = await this.session.readModel();
      const state = await this.session.readState();
      applyStep(p, g, state, { lr: step.lr, t: step.t + 1, average: step.average }, this.model);
      this.session.writeModel(p);
      this.session.writeState(state);
      this.losses.push(g.loss);
      this.rowsDone += step.rows;
      await this.agree(false);
      if (this.losses.length % this.windowSize === 0) {
        this.onWindow?.(this.rowsDone, this.losses[this.losses.length - 1]);
        await this.afterWindow?.(this.losses);
        await this.pause?.();
      }
      return;
    }
    this.window.push({ ...step, index: this.window.length });
    if (this.window.length - this.enqueued >= ENQUEUE_STEPS) this.enqueue();
    if (this.window.length >= this.windowSize) await this.flush();
  }

  /** Puts the batch losses a session agreed with its peers in place of the rank-local ones of the same steps. */
  private async agree(end: boolean): Promise<void> {
    const agreed = await this.session.agree?.(end);
    if (!agreed) return;
    const from = this.losses.length - agreed.length;
    agreed.forEach((v, i) => {
      if (from + i >= 0) this.losses[from + i] = v;
    });
  }

  /** Hands every queued step to the backend (call before reloading a slot that queued steps read). */
  enqueue(): void {
    if (this.enqueued < this.window.length) this.session.runSteps(this.window.slice(this.enqueued));
    this.enqueued = this.window.length;
  }

  /** Runs queued steps and reads their losses back (host updates: the epoch's last agreement, see TrainSession.agree). */
  async flush(): Promise<void> {
    if (this.hostUpdate) return void (await this.agree(true));
    this.enqueue();
    if (!this.window.length) return;
    const read = await this.session.readLosses(this.window.length);
    for (const v of read) this.losses.push(v);
    this.rowsDone += this.window.reduce((s, st) => s + st.rows, 0);
    this.window = [];
    this.enqueued = 0;
    this.onWindow?.(this.rowsDone, read[read.length - 1]);
    await this.afterWindow?.(this.losses);
    await this.pause?.();
  }
}
