// The progress line under Start while a run goes: each backend's phase until its first report ("WebGPU: compiling
// shaders and uploading the data…"), then epoch x/N per backend, the time elapsed (pauses left out) and the time
// left, with a bar. Redrawn four times a second; not a live region, so screen readers hear the status line only.
import type { BackendKind } from '../../backend';
import { BACKEND_LABEL } from '../charts/plot';
import { epochText, RunClock, timeText } from './progress';
import { byId } from '../views';

const now = () => performance.now() / 1000;

/** One run's progress line. */
export class ProgressLine {
  private readonly clock = new RunClock(now());
  private readonly phase = new Map<BackendKind, string>();
  private readonly done = new Map<BackendKind, number>();
  private readonly timer: number;

  constructor(private readonly kinds: readonly BackendKind[], private readonly epochs: number) {
    const bar = byId<HTMLProgressElement>('progress-bar');
    byId('progress').hidden = false;
    bar.hidden = false;
    bar.removeAttribute('value');
    this.tick();
    this.timer = window.setInterval(() => this.tick(), 250);
  }

  /** What a backend is doing before its first report. */
  setPhase(kind: BackendKind, phase: string): void {
    this.phase.set(kind, phase);
  }

  /** A backend has done `done` epochs (with the share of the current one). */
  progressed(kind: BackendKind, done: number): void {
    this.phase.delete(kind);
    this.done.set(kind, Math.max(this.done.get(kind) ?? 0, done));
  }

  pause(): void {
    this.clock.pause(now());
  }

  resume(): void {
    this.clock.resume(now());
  }

  private tick(): void {
    const t = now();
    const parts = this.kinds.map((k) => {
      const phase = this.phase.get(k);
      const who = this.kinds.length > 1 ? `${BACKEND_LABEL[k]} ` : '';
      return phase ? `${BACKEND_LABEL[k]}: ${phase}…` : `${who}${epochText(this.done.get(k) ?? 0, this.epochs)}`;
    });
    const slowest = Math.min(...this.kinds.map((k) => (this.phase.has(k) ? 0 : this.done.get(k) ?? 0)));
    const eta = this.clock.eta(slowest, this.epochs, t);
    byId('progress-text').textContent = `${parts.join(', ')} · ${timeText(this.clock.elapsed(t), eta)}`;
    if (slowest > 0 && this.epochs > 0) byId<HTMLProgressElement>('progress-bar').value = Math.min(1, slowest / this.epochs);
  }

  /** Ends the line: "Trained in 12 s." after a run that finished or was stopped, else nothing. */
  end(trained: boolean): void {
    clearInterval(this.timer);
    byId('progress-bar').hidden = true;
    byId('progress-text').textContent = trained ? `Trained in ${timeText(this.clock.elapsed(now()), null).replace(' elapsed', '')}.` : '';
  }
}
