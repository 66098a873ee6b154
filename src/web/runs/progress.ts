// What the progress line says while a run goes, without the DOM: its phase before the first step (reading,
// generating, compiling and uploading), then epoch x/N with the time elapsed and an estimate of the time left.

/** Seconds as "0.4 s", "12 s", "3 min 05 s" or "1 h 02 min". */
export function fmtDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '—';
  if (s < 10) return `${Number(s.toFixed(1))} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.round(s - 60 * m)).padStart(2, '0')} s`.replace(/ 60 s$/, ' 59 s');
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/**
 * A run's clock: time elapsed without the pauses, and the time left estimated from the training rate since the
 * first progress report (so reading, compiling and uploading before it do not skew the estimate).
 */
export class RunClock {
  private pausedTotal = 0;
  private pausedAt: number | null = null;
  private first: { t: number; done: number } | null = null;

  constructor(private readonly start: number) {}

  pause(now: number): void {
    this.pausedAt ??= now;
  }

  resume(now: number): void {
    if (this.pausedAt !== null) this.pausedTotal += now - this.pausedAt;
    this.pausedAt = null;
  }

  /** Seconds since the start, pauses left out. */
  elapsed(now: number): number {
    return now - this.start - this.pausedTotal - (this.pausedAt !== null ? now - this.pausedAt : 0);
  }

  /** Seconds left to reach `total` epochs from `done`, or null until a little of the run has gone by. */
  eta(done: number, total: number, now: number): number | null {
    const t = this.elapsed(now);
    if (this.first === null) {
      if (done > 0) this.first = { t, done };
      return null;
    }
    const rate = (done - this.first.done) / (t - this.first.t);
    if (!(rate > 0) || t - this.first.t < 0.5 || done >= total) return null;
    return (total - done) / rate;
  }
}

/** "epoch 3/10" for a count of epochs done (with the share of the current one). */
export function epochText(done: number, epochs: number): string {
  const epoch = Math.max(1, Math.min(epochs, Math.floor(done) + 1));
  return `epoch ${epoch.toLocaleString('en-US')}/${epochs.toLocaleString('en-US')}`;
}

/** "12 s elapsed · about 40 s left". */
export function timeText(elapsed: number, eta: number | null): string {
  return `${fmtDuration(elapsed)} elapsed${eta !== null ? ` · about ${fmtDuration(eta)} left` : ''}`;
}
