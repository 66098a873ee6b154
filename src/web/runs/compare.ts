// The CPU-vs-GPU comparison: for each size in a sweep (rows, or batch size at fixed rows), time SGD epochs
// with the engine's benchmark on WebGPU in the page and then on the CPU in its worker, and chart seconds per
// epoch and rows/s side by side with the point from which the GPU wins.
import type { BenchResult } from '../../train/bench';
import { fmtBatch } from '../charts/chart_math';
import { BenchChart } from '../charts/charts';
import { buildSynthetic } from '../data/datasets';
import { isSoftware } from './outcome';
import type { Runner } from './runners';
import { fmtCount, fmtSpeedup, gpuWinsFrom, parseSizeList } from '../state';
import { byId, renderBenchTable } from '../views';

const RUNS = 3;
const field = (id: string) => byId<HTMLInputElement>(id);

/** A comparison point as it fills in. */
interface Row {
  x: number;
  cpu?: BenchResult;
  gpu?: BenchResult;
}

/** The comparison section. */
export class CompareApp {
  private readonly time = new BenchChart(byId('bench-time'), 'rows', 'seconds per epoch', true);
  private readonly rate = new BenchChart(byId('bench-rate'), 'rows', 'rows per second', false);
  private running = false;
  private blocked = false;
  private invalid = false;
  /** Told when a comparison starts and ends (training waits meanwhile). */
  onBusy: (busy: boolean) => void = () => {};

  constructor(private readonly gpu: Runner | undefined, private readonly cpu: Runner) {
    const vary = byId<HTMLSelectElement>('cmp-vary');
    const sync = () => {
      byId('cmp-rows-label').hidden = vary.value === 'rows';
      byId('cmp-batch-label').hidden = vary.value === 'batch';
      field('cmp-values').value = vary.value === 'rows' ? '1k, 10k, 100k, 1M' : '64, 1024, 16k, full';
    };
    vary.addEventListener('change', () => {
      sync();
      this.plan();
    });
    sync();
    // Each field is checked as it is typed in: the error stands under the form and Run waits for a fix.
    for (const id of ['cmp-values', 'cmp-rows', 'cmp-batch', 'cmp-features']) field(id).addEventListener('input', () => this.plan());
    byId('compare-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run();
    });
    if (!gpu) this.status('idle', 'The comparison needs WebGPU, which is not available here (see the message at the top).');
    this.setBlocked(false);
  }

  /** Disables the Run button while training runs (and when there is no GPU, or a field is invalid). */
  setBlocked(blocked: boolean): void {
    this.blocked = blocked;
    byId<HTMLButtonElement>('cmp-run').disabled = blocked || this.running || !this.gpu || this.invalid;
  }

  private status(state: string, text: string): void {
    const el = byId('cmp-status');
    el.dataset.state = state;
    el.textContent = text;
  }

  private plan(): { vary: 'rows' | 'batch'; values: number[]; rows: number; batch: number; features: number } | null {
    const vary = byId<HTMLSelectElement>('cmp-vary').value as 'rows' | 'batch';
    const text = field('cmp-values').value.replace(/\bfull\b/i, String(2 ** 31));
    const values = parseSizeList(text);
    const rows = parseSizeList(field('cmp-rows').value)?.[0];
    const batch = /^\s*full\s*$/i.test(field('cmp-batch').value) ? Infinity : parseSizeList(field('cmp-batch').value)?.[0];
    const features = Math.round(Number(field('cmp-features').value));
    const problems: [string, string][] = [
      ['cmp-values', !values ? 'Values: a list of sizes such as "1k, 10k, 1M"' : vary === 'rows' && Math.max(...values) > 4_000_000 ? 'Values: at most 4M rows' : ''],
      ['cmp-rows', vary === 'batch' && !rows ? 'Rows: a whole number such as 200000' : ''],
      ['cmp-batch', vary === 'rows' && !batch ? 'Batch: a whole number, or "full"' : ''],
      ['cmp-features', !(features >= 1 && features <= 256) ? 'Features: 1 to 256' : ''],
    ];
    for (const [id, why] of problems) field(id).setAttribute('aria-invalid', String(why !== ''));
    const bad = problems.map(([, why]) => why).filter(Boolean).join('; ');
    byId('cmp-error').textContent = bad;
    this.invalid = bad !== '';
    this.setBlocked(this.blocked);
    if (bad) return null;
    // A batch of at least the row count is full-batch gradient descent: show it at x = rows.
    const xs = vary === 'batch' ? [...new Set(values!.map((v) => Math.min(v, rows!)))] : values!;
    return { vary, values: xs, rows: rows!, batch: batch!, features };
  }

  private async run(): Promise<void> {
    const p = this.plan();
    if (!p || !this.gpu || this.running) return;
    this.running = true;
    this.onBusy(true);
    this.setBlocked(this.blocked);
    const label = p.vary === 'rows' ? 'rows' : 'batch size';
    const rows: Row[] = p.values.map((x) => ({ x }));
    try {
      for (const r of rows) {
        const n = p.vary === 'rows' ? r.x : p.rows;
        const batch = p.vary === 'rows' ? p.batch : r.x;
        const data = await buildSynthetic({ kind: 'linear', rows: n, features: p.features, noise: 0.1, seed: 1 });
        this.status('running', `Timing ${fmtCount(n)} rows × ${p.features} features, batch ${fmtBatch(batch, n)}: WebGPU…`);
        r.gpu = await this.gpu.bench(data, batch, RUNS);
        this.show(label, rows, p.rows);
        this.status('running', `Timing ${fmtCount(n)} rows × ${p.features} features, batch ${fmtBatch(batch, n)}: CPU (worker)…`);
        r.cpu = await this.cpu.bench(data, batch, RUNS);
        this.show(label, rows, p.rows);
      }
      this.status('done', `Done: ${rows.length} sizes on ${this.gpu.device} and the CPU.`);
    } catch (e) {
      this.status('failed', `The comparison failed: ${(e as Error).message}`);
    } finally {
      this.running = false;
      this.onBusy(false);
      this.setBlocked(this.blocked);
    }
  }

  private show(label: string, rows: Row[], fixedRows: number): void {
    const x = rows.map((r) => r.x);
    const n = label === 'rows' ? undefined : fixedRows;
    this.time.set(label, x, rows.map((r) => r.cpu?.secondsPerEpoch ?? null), rows.map((r) => r.gpu?.secondsPerEpoch ?? null), n);
    this.rate.set(label, x, rows.map((r) => r.cpu?.rowsPerSecond ?? null), rows.map((r) => r.gpu?.rowsPerSecond ?? null), n);
    renderBenchTable(byId<HTMLTableElement>('bench-table'), label, rows, n);
    byId('crossover').textContent = this.verdict(label, rows, n);
  }

  private verdict(label: string, rows: Row[], fixedRows?: number): string {
    const done = rows.filter((r) => r.cpu && r.gpu).map((r) => ({ x: r.x, cpu: r.cpu!.secondsPerEpoch, gpu: r.gpu!.secondsPerEpoch }));
    if (done.length === 0) return '';
    const from = gpuWinsFrom(done);
    const last = done[done.length - 1];
    const soft = isSoftware(this.gpu?.device ?? '')
      ? ' This adapter is a software renderer, so its times say nothing about a real GPU.' : '';
    const what = label === 'rows' ? 'row count' : 'batch size';
    if (from === null) return `The CPU was faster at every ${what} measured.${soft}`;
    const at = (x: number) => (label === 'rows' ? `${fmtCount(x)} rows` : `batch size ${fmtBatch(x, fixedRows)}`);
    return `WebGPU wins from ${at(from)} up: ${fmtSpeedup(last.cpu / last.gpu)} than the CPU at ${at(last.x)}.${soft}`;
  }
}
