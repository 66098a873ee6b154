// The training side of the page: Start opens the data, runs the chosen backends at once (WebGPU in the page,
// the CPU in its worker) and streams their losses and coefficients into the charts and table; Pause, Stop
// (keeping the model so far) and Download act on the same runs. A scan pass beside training counts a file's
// rows and solves the exact least-squares answer for the table.
import type { BackendKind } from '../backend';
import type { ModelParams } from '../core/model';
import { FitChart, LossChart } from './charts';
import { buildSynthetic, fitsInMemory, MEMORY_BUDGET, openData, scanData, specKey, type LoadedData, type Scan } from './datasets';
import { download, modelFileFor, type TrainedModel } from './export';
import type { TrainFormView } from './form';
import type { EpochPoint } from './loop';
import type { Runner } from './runners';
import { controlsFor, fmtCount, type RunSettings, type RunState } from './state';
import { byId, renderCoefTable, renderMetrics } from './views';

const button = (id: string) => byId<HTMLButtonElement>(id);
// A frame for the status to paint before a long synchronous step (a timer too, as hidden tabs get no frames).
const nextFrame = () => new Promise<void>((r) => {
  requestAnimationFrame(() => setTimeout(r, 0));
  setTimeout(r, 100);
});
const PREVIEW_CELLS = 4_000_000;

/** Whether data is too large to hold: by its rows when known, else (CSV) by the file's size. */
function mustStream(d: LoadedData): boolean {
  const rows = d.dataset?.rows ?? d.source.rows;
  if (rows !== null) return !fitsInMemory(rows, d.source.features.length);
  return d.spec.kind === 'file' && d.spec.file.size > MEMORY_BUDGET;
}

/** The page's training runs. */
export class TrainApp {
  private state: RunState = 'idle';
  private data: LoadedData | null = null;
  private scan: { key: string; done: Promise<Scan>; value: Scan | null } | null = null;
  private settings: RunSettings | null = null;
  private active: Runner[] = [];
  private previewTimer = 0;
  private liveFrame = 0;
  private blocked = false;
  private readonly live = new Map<BackendKind, EpochPoint>();
  private readonly models = new Map<BackendKind, TrainedModel>();
  private readonly loss = new LossChart(byId('loss-chart'));
  private readonly fit = new FitChart(byId('fit-chart'), byId('fit-title'));
  /** Told when a run starts and ends (the comparison waits meanwhile). */
  onBusy: (busy: boolean) => void = () => {};

  constructor(private readonly form: TrainFormView, private readonly runners: Partial<Record<BackendKind, Runner>>) {
    byId('train-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.start();
    });
    button('pause').addEventListener('click', () => this.togglePause());
    button('stop').addEventListener('click', () => this.stop());
    for (const k of ['webgpu', 'cpu'] as const) button(`export-${k}`).addEventListener('click', () => this.exportModel(k));
    const view = () => this.loss.setView(
      (document.querySelector<HTMLInputElement>('input[name=loss-x]:checked')?.value ?? 'step') as 'step' | 'epoch',
      byId<HTMLInputElement>('loss-log').checked);
    document.querySelectorAll('input[name=loss-x], #loss-log').forEach((el) => el.addEventListener('change', view));
    byId('fit-bias').addEventListener('change', () => form.onDataChange());
    form.onDataChange = () => {
      clearTimeout(this.previewTimer);
      this.previewTimer = window.setTimeout(() => void this.preview(), 150);
    };
    void this.preview();
  }

  private setState(s: RunState, message: string): void {
    this.state = s;
    const status = byId('status');
    status.dataset.state = s;
    status.textContent = message;
    const c = controlsFor(s, this.models.size > 0);
    button('start').disabled = !c.start || this.blocked;
    button('pause').disabled = !c.pause;
    button('pause').textContent = c.pauseLabel;
    button('stop').disabled = !c.stop;
    for (const k of ['webgpu', 'cpu'] as const) button(`export-${k}`).disabled = !(c.export && this.models.has(k));
    this.form.setEditable(c.editable);
    this.onBusy(!c.editable);
  }

  /** Holds Start while the comparison runs. */
  setBlocked(blocked: boolean): void {
    this.blocked = blocked;
    button('start').disabled = blocked || !controlsFor(this.state, false).start;
  }

  /** Opens the chosen data (small synthetic data and files) so the charts and table show it before training. */
  private async preview(): Promise<void> {
    if (!controlsFor(this.state, false).editable) return;
    try {
      const spec = this.form.dataSpec();
      if (spec.kind !== 'file' && spec.rows * (spec.kind === 'linear' ? spec.features : 1) > PREVIEW_CELLS) {
        this.showData(null);
        this.form.summary(`${fmtCount(spec.rows)} rows: the data is generated when you press Start.`);
        return;
      }
      if (this.data?.key === specKey(spec)) {
        void this.startScan(this.data).then(() => this.renderTable());
        return;
      }
      const d = await openData(spec);
      this.showData(d);
      void this.startScan(d);
    } catch (e) {
      this.showData(null);
      if (this.form.kind !== 'file' || !/choose a CSV/.test((e as Error).message)) this.form.summary((e as Error).message, true);
    }
  }

  private fitBias(): boolean {
    return byId<HTMLInputElement>('fit-bias').checked;
  }

  /** Starts the scan pass for data unless it is known; the table and the fit chart fill in when it ends. */
  private startScan(d: LoadedData): Promise<Scan> {
    const key = `${d.key}:${this.fitBias()}`;
    if (this.scan?.key === key) return this.scan.done;
    const scan = { key, value: null as Scan | null, done: scanData(d, this.fitBias()) };
    this.scan = scan;
    scan.done.then((v) => {
      if (this.scan !== scan || this.data?.key !== d.key) return;
      scan.value = v;
      this.fit.setData(v.sample, d.truth, d.source.features[0], d.source.target);
      if (!d.dataset) this.form.summary(`${d.description}, ${v.rows.toLocaleString('en-US')} rows`);
      this.renderTable();
    }, (e: Error) => this.scan === scan && this.form.summary(e.message, true));
    return scan.done;
  }

  /** Shows a dataset (before or during a run): clears the fits, the models and the metrics. */
  private showData(d: LoadedData | null): void {
    this.data = d;
    this.models.clear();
    this.live.clear();
    if (d) this.form.summary(d.description);
    this.fit.reset([]);
    this.renderTable();
    renderMetrics(byId('metrics'), new Map());
  }

  private renderTable(): void {
    const d = this.data;
    const table = byId<HTMLTableElement>('coef-table');
    if (!d) return table.replaceChildren();
    const fits = new Map<BackendKind, ModelParams>();
    for (const k of this.settings?.backends ?? []) {
      const p = this.models.get(k)?.params ?? this.live.get(k)?.params;
      if (p) fits.set(k, p);
    }
    const scan = this.scan?.key === `${d.key}:${this.fitBias()}` ? this.scan.value : null;
    renderCoefTable(table, { features: d.source.features, fitBias: this.fitBias(), truth: d.truth, exact: scan?.exact ?? 'pending', fits });
  }

  private async start(): Promise<void> {
    const parsed = this.form.settings();
    if (!parsed.ok) return this.setState('failed', 'Fix the highlighted fields.');
    const s = (this.settings = parsed.value);
    const runners = s.backends.map((k) => this.runners[k]).filter((r): r is Runner => r !== undefined);
    if (runners.length === 0) return this.setState('failed', 'WebGPU is not available here; choose the CPU backend.');
    this.setState('loading', 'Preparing the data…');
    await nextFrame();
    try {
      const spec = this.form.dataSpec();
      const d = this.data?.key === specKey(spec) ? this.data : spec.kind === 'file' ? await openData(spec) : await buildSynthetic(spec);
      this.showData(d);
      void this.startScan(d);
      const stream = mustStream(d);
      this.loss.reset(s.backends);
      this.fit.reset(s.backends);
      byId('loss-note').hidden = s.backends.length < 2;
      this.active = runners;
      this.setState('running', `Training on ${runners.map((r) => r.device).join(' and ')}${stream ? ' (streaming the data every epoch)' : ''}…`);
      const results = await Promise.all(runners.map((r) => this.runOne(r, d, s, stream)));
      const stopped = results.some((m) => m.stopped);
      const summary = results.map((m) => `${m.backend === 'webgpu' ? 'WebGPU' : 'CPU'}: ${m.epochsDone} epoch${m.epochsDone === 1 ? '' : 's'}`).join(', ');
      this.setState(stopped ? 'stopped' : 'done', `${stopped ? 'Stopped; the model trained so far is kept' : 'Done'} (${summary}).`);
    } catch (e) {
      this.active.forEach((r) => r.stop());
      this.setState('failed', `Training failed: ${(e as Error).message}`);
    } finally {
      this.active = [];
    }
  }

  private async runOne(r: Runner, d: LoadedData, s: RunSettings, stream: boolean): Promise<TrainedModel> {
    const opts = { epochs: s.epochs, batch: s.batch, lr: s.lr, seed: s.seed, fitBias: s.fitBias, standardize: s.standardize };
    const result = await r.train(d, opts, stream, {
      onStep: (p) => this.loss.addStep(r.kind, p.step, p.loss),
      onEpoch: (e) => {
        this.live.set(r.kind, e);
        this.loss.addEpoch(r.kind, e.epoch, e.loss);
        if (e.params) this.fit.setFit(r.kind, e.params);
        this.scheduleLive();
      },
      onPause: () => this.setState('paused', 'Paused. Resume, or Stop to keep the model trained so far.'),
    });
    const m: TrainedModel = { backend: r.kind, device: r.device, ...result };
    this.models.set(r.kind, m);
    this.fit.setFit(r.kind, m.params);
    this.renderLive();
    return m;
  }

  /** Redraws the table and metrics at most once per frame however fast epochs arrive. */
  private scheduleLive(): void {
    if (this.liveFrame) return;
    this.liveFrame = requestAnimationFrame(() => {
      this.liveFrame = 0;
      this.renderLive();
    });
  }

  private renderLive(): void {
    this.renderTable();
    const rows = new Map<BackendKind, { metrics: TrainedModel['metrics']; epochs: number; secondsPerEpoch: number }>();
    for (const k of this.settings?.backends ?? []) {
      const e = this.live.get(k);
      const m = this.models.get(k);
      if (m) rows.set(k, { metrics: m.metrics, epochs: m.epochsDone, secondsPerEpoch: m.secondsPerEpoch });
      else if (e) rows.set(k, { metrics: e.metrics, epochs: e.epoch, secondsPerEpoch: e.seconds });
    }
    renderMetrics(byId('metrics'), rows);
  }

  private togglePause(): void {
    if (this.state === 'running') {
      this.active.forEach((r) => r.pause());
      byId('status').textContent = 'Pausing…';
      button('pause').disabled = true;
    } else if (this.state === 'paused') {
      this.active.forEach((r) => r.resume());
      this.setState('running', 'Training…');
    }
  }

  private stop(): void {
    this.active.forEach((r) => r.stop());
    this.setState('stopping', 'Stopping; the model trained so far is kept…');
  }

  private exportModel(kind: BackendKind): void {
    const m = this.models.get(kind);
    if (!m || !this.data || !this.settings) return;
    const { features, target } = this.data.source;
    const rows = this.data.dataset?.rows ?? this.scan?.value?.rows ?? null;
    const file = modelFileFor(m, { features, target, rows, description: this.data.description }, this.settings);
    download(`downhill-model-${kind}.json`, JSON.stringify(file, null, 2) + '\n');
  }
}
