// A one-line terminal progress bar on stderr: epoch, bar, rows/s, loss, ETA. Only used on a TTY.
import { metricEntries, type Metrics } from '../core/metrics';
import type { Progress } from '../train/report';

/** Formats a count with k/M/G suffixes. */
export function si(n: number, digits = 3): string {
  const units = ['', 'k', 'M', 'G', 'T'];
  let i = 0;
  while (Math.abs(n) >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${Number(n.toPrecision(digits))}${units[i]}`;
}

/** Formats seconds as 1.2s, 3m04s or 1h02m. */
export function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Draws progress over `epochs` epochs to a TTY stream. */
export class ProgressBar {
  private readonly start = performance.now();
  private lastDraw = 0;

  constructor(private readonly epochs: number, private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(p: Progress): void {
    const t = performance.now();
    if (t - this.lastDraw < 100 && p.rowsDone < p.rowsTotal) return; // at most 10 redraws a second
    this.lastDraw = t;
    const elapsed = (performance.now() - this.start) / 1000;
    if (!Number.isFinite(p.rowsTotal)) {
      // First pass over a file of unknown length: no fraction to show yet.
      const line = `epoch ${p.epoch + 1}/${this.epochs}  ${si(p.rowsDone)} rows  ${si(p.rowsDone / Math.max(elapsed, 1e-9))} rows/s  loss ${p.loss.toPrecision(4)}`;
      this.out.write(`\r${line.slice(0, (this.out.columns || 120) - 1)}\x1b[K`);
      return;
    }
    const frac = (p.epoch + p.rowsDone / p.rowsTotal) / this.epochs;
    const rate = (p.epoch * p.rowsTotal + p.rowsDone) / Math.max(elapsed, 1e-9);
    const width = 24;
    const fill = Math.round(frac * width);
    const bar = '█'.repeat(fill) + '░'.repeat(width - fill);
    const eta = frac > 0 ? elapsed * (1 / frac - 1) : NaN;
    const line = `epoch ${p.epoch + 1}/${this.epochs} ${bar} ${(frac * 100).toFixed(0).padStart(3)}%  ${si(rate)} rows/s  loss ${p.loss.toPrecision(4)}  ETA ${duration(eta)}`;
    this.out.write(`\r${line.slice(0, (this.out.columns || 120) - 1)}\x1b[K`);
  }

  /** A phase before the first epoch (e.g. "compiling shaders"), shown until the bar replaces it. */
  phase(what: string): void {
    this.out.write(`\r${what}…\x1b[K`);
  }

  /** Prints a finished epoch's line above the bar. */
  epochDone(epoch: number, loss: number, seconds: number, validation?: Metrics): void {
    const head = validation && metricEntries(validation)[0];
    const val = head ? `  validation ${head[0]} ${head[1].toPrecision(6)}` : '';
    this.out.write(`\r\x1b[Kepoch ${epoch + 1}/${this.epochs}  loss ${loss.toPrecision(6)}${val}  ${duration(seconds)}\n`);
  }

  done(): void {
    this.out.write('\r\x1b[K');
  }
}
