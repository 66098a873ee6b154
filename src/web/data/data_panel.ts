// The data side of the page: opens what the Data fields describe (small synthetic data, the bundled flights,
// a file) so the fit chart and the coefficient table show it before training, and runs the scan pass beside
// it (row count, classes, the exact least-squares answer, the sampled rows; in a worker for data read from a
// source). It keeps one state that Start follows: no data yet, loading, ready, or an error (a file that cannot be
// read leaves nothing of itself behind).
import { LOSSES } from '../../core/losses';
import { buildSynthetic, dataSummary, openData, scanData, specKey, type DataSpec, type LoadedData, type Scan } from './datasets';
import type { FitChart } from '../charts/fit_chart';
import { fetchFlights } from './flights';
import { scanInWorker } from './scan_client';
import type { TrainFormView } from '../form/form';
import { pageMessage } from '../form/settings';
import { fmtCount } from '../state';
import { byId } from '../views';

/** Where the data stands: none chosen, being read, ready to train, or unreadable. */
export type DataState = 'none' | 'loading' | 'ready' | 'error';

/** Synthetic data larger than this many cells is generated at Start rather than for the preview. */
const PREVIEW_CELLS = 4_000_000;

/** The chosen data, its scan and its state. */
export class DataPanel {
  data: LoadedData | null = null;
  state: DataState = 'loading';
  /** Why the data is not ready (for Start's tooltip and the status), or ''. */
  problem = '';
  private scan: { key: string; done: Promise<Scan>; value: Scan | null; abort: AbortController } | null = null;
  private flights: Promise<File> | null = null;
  private seq = 0;
  /** Data a resumed run trains on instead of what the fields describe (a file's cached rows after a reload). */
  override: DataSpec | null = null;
  /** Told when the state changes. */
  onState: () => void = () => {};
  /** Told when the shown data changes (the views that depended on the old data reset). */
  onData: () => void = () => {};
  /** Told when a scan finishes (the table fills in). */
  onScan: () => void = () => {};

  constructor(private readonly form: TrainFormView, private readonly fit: FitChart, private readonly busy: () => boolean) {}

  private setState(s: DataState, problem = ''): void {
    this.state = s;
    this.problem = problem;
    byId('data-fields').dataset.state = s;
    this.onState();
  }

  /** Whether the fit follows the intercept field. */
  fitBias(): boolean {
    return byId<HTMLInputElement>('bias').checked;
  }

  /** Whether the data's target is read as classes: built-in data says so; a file's follows the chosen loss. */
  classify(d: LoadedData): boolean {
    return d.task ? d.task === 'classification' : LOSSES[this.form.loss].task !== 'regression';
  }

  /** The spec of the chosen data; the bundled flights are fetched from the page's assets once. */
  async spec(): Promise<DataSpec> {
    if (this.override) return this.override;
    const onRows = (rows: number) => this.form.summary(`Reading every row for the columns' levels and means: ${fmtCount(rows)} rows…`);
    const spec = await this.form.dataSpec(onRows);
    if (spec) return spec;
    this.flights ??= fetchFlights().catch((e: unknown) => {
      this.flights = null;
      throw e;
    });
    return { kind: 'flights', file: await this.flights };
  }

  /** The data fields changed: the data is being read again (a preview follows). */
  pending(): void {
    this.seq++;
    this.setState('loading');
  }

  /** Opens the chosen data so the charts and table show it before training (large synthetic data waits for Start). */
  async preview(): Promise<void> {
    const seq = ++this.seq;
    this.fit.setLoss({ loss: this.form.loss });
    const problem = this.override ? null : this.form.dataProblem;
    if (problem) {
      this.showData(null);
      this.form.summary(problem.message, problem.chosen);
      return this.setState(problem.chosen ? 'error' : 'none', problem.message);
    }
    try {
      if (this.form.kind === 'flights') {
        this.setState('loading');
        if (!this.data || this.data.spec.kind !== 'flights') this.form.summary('Loading the bundled flights (13 MB)…');
      } else if (this.form.kind !== 'file') {
        // A bad data field shows its own error and holds Start; the data shown stays the last valid one.
        if (!this.form.dataFieldsValid()) return this.setState('ready');
      }
      const spec = await this.spec();
      if (seq !== this.seq) return;
      if (spec.kind !== 'file' && spec.kind !== 'flights' && spec.rows * (spec.features ?? 1) > PREVIEW_CELLS) {
        this.showData(null);
        this.form.summary(`${fmtCount(spec.rows)} rows: the data is generated when you press Start.`);
        return this.setState('ready');
      }
      if (this.data?.key !== specKey(spec)) {
        const d = await openData(spec);
        if (seq !== this.seq) return;
        this.showData(d);
      }
      void this.startScan(this.data!).catch(() => undefined);
    } catch (e) {
      if (seq !== this.seq) return;
      this.fail(e as Error);
    }
  }

  /** An unreadable file: its message, and nothing of it left on the page. */
  private fail(e: Error): void {
    if (!this.busy()) this.showData(null);
    const message = pageMessage(e.message);
    this.form.summary(message, true);
    this.setState('error', message);
  }

  /** The data for a run: what is shown when it matches the fields, else opened (or generated) now. */
  async open(): Promise<LoadedData> {
    const spec = await this.spec();
    if (this.data?.key === specKey(spec)) return this.data;
    const d = spec.kind === 'file' || spec.kind === 'flights' ? await openData(spec) : await buildSynthetic(spec);
    this.showData(d);
    void this.startScan(d).catch(() => undefined);
    return d;
  }

  /** Starts the scan pass for data unless it is known; the state is ready when it ends, or an error. */
  startScan(d: LoadedData): Promise<Scan> {
    const classes = this.classify(d);
    const key = `${d.key}:${this.fitBias()}:${classes}`;
    if (this.scan?.key === key) return this.scan.done;
    this.scan?.abort.abort();
    const abort = new AbortController();
    const large = d.dataset === null;
    if (large) this.setState('loading');
    const onRows = large ? (rows: number) => this.form.summary(`Reading ${d.description.split(':')[0]}: ${fmtCount(rows)} rows…`) : undefined;
    // Data held in memory (the small synthetic sets) is scanned here; everything read from a source, in a worker.
    const done = large && typeof Worker !== 'undefined'
      ? scanInWorker({ spec: d.spec, fitBias: this.fitBias(), classes }, { signal: abort.signal, onRows })
      : scanData(d, this.fitBias(), { classes, signal: abort.signal, onRows });
    const scan = { key, value: null as Scan | null, abort, done };
    this.scan = scan;
    scan.done.then((v) => {
      if (this.scan !== scan || this.data?.key !== d.key) return;
      scan.value = v;
      this.fit.setData(v.sample, {
        truth: d.truth, features: d.source.features, target: d.source.target, classes: v.classes, clipY: d.spec.kind === 'outliers',
        ...(d.spec.kind === 'file' && d.spec.table?.hashed ? { hashed: d.spec.table.hashed } : {}),
      });
      this.form.summary(dataSummary(d, v));
      this.setState('ready');
      this.onScan();
    }, (e: Error) => {
      if (this.scan !== scan) return;
      this.scan = null;
      this.fail(e);
    });
    return scan.done;
  }

  /** Shows a dataset (or none): the fit chart and everything that depended on the previous data reset. */
  showData(d: LoadedData | null): void {
    const changed = this.data?.key !== d?.key;
    this.data = d;
    if (!d) {
      this.scan?.abort.abort();
      this.scan = null;
      this.fit.setData({ rows: 0, d: 1, x: new Float64Array(0), y: new Float64Array(0) }, { truth: null, features: ['x'], target: 'y', classes: null });
    } else {
      const scan = this.currentScan();
      this.form.summary(scan ? dataSummary(d, scan) : d.description);
    }
    this.fit.reset([]);
    if (changed) this.onData();
  }

  /** The scan of the shown data under the current intercept and loss, when it has finished. */
  currentScan(): Scan | null {
    const d = this.data;
    return d && this.scan?.key === `${d.key}:${this.fitBias()}:${this.classify(d)}` ? this.scan.value : null;
  }

  /** Whether the exact answer of the shown data is still being computed. */
  get scanning(): boolean {
    return this.state === 'loading';
  }
}
