// The training side of the page: Start opens the data, runs the chosen backends at once (WebGPU in the page,
// the CPU in its worker) under one training spec and streams their losses, coefficients and metrics into the
// charts and tables; Pause, Stop (keeping the model so far) and Download act on the same runs. A scan pass
// beside training counts a file's rows, finds the classes or solves the exact least-squares answer.
import type { BackendKind } from '../backend';
import { LOSSES } from '../core/losses';
import type { ModelParams } from '../core/model';
import type { TrainSpec } from '../core/spec';
import { LossChart } from './charts';
import { buildSynthetic, dataSettings, dataSummary, fitsInMemory, MEMORY_BUDGET, openData, scanData, specKey, type LoadedData, type Scan } from './datasets';
import { download, modelFileFor, modelFileName, type TrainedModel } from './export';
import { FitChart } from './fit_chart';
import type { TrainFormView } from './form';
import type { EpochPoint } from './loop';
import type { Runner } from './runners';
import { lossMismatch, pageMessage, type RunSettings } from './settings';
import { controlsFor, fmtCount, type RunState } from './state';
import { byId, h, renderCoefTable, renderMetrics, type MetricsRow } from './views';

const button = (id: string) => byId<HTMLButtonElement>(id);
const select = (id: string) => byId<HTMLSelectElement>(id);
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
  private readonly epochLosses = new Map<BackendKind, number[]>();
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
    byId('coef-class').addEventListener('change', () => this.renderTable());
    const view = () => this.loss.setView(
      (document.querySelector<HTMLInputElement>('input[name=loss-x]:checked')?.value ?? 'step') as 'step' | 'epoch',
      byId<HTMLInputElement>('loss-log').checked);
    document.querySelectorAll('input[name=loss-x], #loss-log').forEach((el) => el.addEventListener('change', view));
    form.onDataChange = () => {
      clearTimeout(this.previewTimer);
      this.previewTimer = window.setTimeout(() => void this.preview(), 150);
    };
    form.onChange = () => {
      if (this.state === 'failed') this.setState('idle', 'Ready.');
      this.updateStart();
    };
    this.updateStart();
    void this.preview();
  }

  private setState(s: RunState, message: string): void {
    this.state = s;
    const status = byId('status');
    status.dataset.state = s;
    status.textContent = message;
    const c = controlsFor(s, this.models.size > 0);
    button('pause').disabled = !c.pause;
    button('pause').textContent = c.pauseLabel;
    button('stop').disabled = !c.stop;
    for (const k of ['webgpu', 'cpu'] as const) button(`export-${k}`).disabled = !(c.export && this.models.has(k));
    this.form.setEditable(c.editable);
    this.updateStart();
    this.onBusy(!c.editable);
  }

  /** Start is enabled when nothing runs, the comparison is idle and every field is valid. */
  private updateStart(): void {
    button('start').disabled = this.blocked || !controlsFor(this.state, false).start || !this.form.valid;
    button('start').title = this.form.valid ? '' : 'Fix the fields marked in red first';
  }

  /** Holds Start while the comparison runs. */
  setBlocked(blocked: boolean): void {
    this.blocked = blocked;
    this.updateStart();
  }

  /** Whether the data's target is read as classes: built-in data says so; a file's follows the chosen loss. */
  private classify(d: LoadedData): boolean {
    return d.task ? d.task === 'classification' : LOSSES[this.form.loss].task !== 'regression';
  }

  /** Opens the chosen data (small synthetic data and files) so the charts and table show it before training. */
  private async preview(): Promise<void> {
    this.updateStart();
    if (!controlsFor(this.state, false).editable) return;
    this.fit.setLoss({ loss: this.form.loss });
    try {
      const spec = this.form.dataSpec();
      if (spec.kind !== 'file' && spec.rows * (spec.features ?? 1) > PREVIEW_CELLS) {
        this.showData(null);
        this.form.summary(`${fmtCount(spec.rows)} rows: the data is generated when you press Start.`);
        return;
      }
      if (this.data?.key === specKey(spec)) {
        void this.startScan(this.data).then(() => this.renderTable(), () => undefined);
        return;
      }
      const d = await openData(spec);
      this.showData(d);
      void this.startScan(d).catch(() => undefined);
    } catch (e) {
      this.showData(null);
      if (this.form.kind !== 'file' || !/choose a CSV/.test((e as Error).message)) this.form.summary(pageMessage((e as Error).message), true);
    }
  }

  private fitBias(): boolean {
    return byId<HTMLInputElement>('bias').checked;
  }

  /** Starts the scan pass for data unless it is known; the table and the fit chart fill in when it ends. */
  private startScan(d: LoadedData): Promise<Scan> {
    const classes = this.classify(d);
    const key = `${d.key}:${this.fitBias()}:${classes}`;
    if (this.scan?.key === key) return this.scan.done;
    const scan = { key, value: null as Scan | null, done: scanData(d, this.fitBias(), { classes }) };
    this.scan = scan;
    scan.done.then((v) => {
      if (this.scan !== scan || this.data?.key !== d.key) return;
      scan.value = v;
      const clipY = d.spec.kind === 'outliers';
      this.fit.setData(v.sample, { truth: d.truth, features: d.source.features, target: d.source.target, classes: v.classes, clipY });
      this.form.summary(dataSummary(d, v));
      this.renderTable();
    }, (e: Error) => {
      if (this.scan !== scan) return;
      // A file that cannot be read leaves nothing of it on the page (charts, table), only the message.
      if (controlsFor(this.state, false).editable) this.showData(null);
      this.form.summary(pageMessage(e.message), true);
    });
    return scan.done;
  }

  /** Shows a dataset (before or during a run): clears the fits, the models and the metrics. */
  private showData(d: LoadedData | null): void {
    this.data = d;
    this.models.clear();
    this.live.clear();
    const scan = d ? this.currentScan() : null;
    if (d) this.form.summary(scan ? dataSummary(d, scan) : d.description);
    else this.scan = null;
    this.fit.reset([]);
    if (!d) this.fit.setData({ rows: 0, d: 1, x: new Float64Array(0), y: new Float64Array(0) }, { truth: null, features: ['x'], target: 'y', classes: null });
    this.renderTable();
    renderMetrics(byId('metrics'), new Map());
  }

  /** The classes of what is shown: from a trained model, else from the scan. */
  private classes(): string[] | null {
    for (const m of this.models.values()) if (m.classes) return m.classes;
    return this.currentScan()?.classes ?? null;
  }

  private currentScan(): Scan | null {
    const d = this.data;
    return d && this.scan?.key === `${d.key}:${this.fitBias()}:${this.classify(d)}` ? this.scan.value : null;
  }

  private renderTable(): void {
    const d = this.data;
    const table = byId<HTMLTableElement>('coef-table');
    if (!d) {
      byId('coef-class-label').hidden = true;
      return table.replaceChildren();
    }
    const fits = new Map<BackendKind, ModelParams>();
    for (const k of this.settings?.backends ?? []) {
      const p = this.models.get(k)?.params ?? this.live.get(k)?.params;
      if (p) fits.set(k, p);
    }
    const scan = this.currentScan();
    const classes = this.classes();
    const outputs = Math.max(1, ...[...fits.values()].map((p) => p.bias.length));
    const picker = select('coef-class');
    byId('coef-class-label').hidden = outputs < 2;
    if (outputs >= 2 && picker.options.length !== outputs) {
      picker.replaceChildren(...Array.from({ length: outputs }, (_, c) => h('option', { value: String(c) }, classes?.[c] ?? String(c))));
    }
    const caption = byId('coef-caption');
    caption.textContent = outputs >= 2 ? 'Each class has its own weights; the class with the largest x·w + b is predicted.'
      : classes?.length === 2 ? `The weights of class “${classes[1]}” against “${classes[0]}”: x·w + b > 0 predicts “${classes[1]}”.` : '';
    const output = outputs >= 2 ? Number(picker.value) || 0 : 0;
    const exact = this.classify(d) ? null : scan?.exact ?? 'pending';
    renderCoefTable(table, { features: d.source.features, fitBias: this.fitBias(), output, truth: d.truth, exact, fits });
  }

  private async start(): Promise<void> {
    const parsed = this.form.settings();
    if (!parsed.ok || !this.form.valid) return this.setState('failed', 'Fix the fields marked in red first.');
    const s = (this.settings = parsed.value);
    const runners = s.backends.map((k) => this.runners[k]).filter((r): r is Runner => r !== undefined);
    if (runners.length === 0) return this.setState('failed', 'WebGPU is not available here; choose the CPU backend.');
    const mismatch = lossMismatch(this.form.kind, s.spec.loss);
    if (mismatch) return this.setState('failed', `Cannot train: ${mismatch}.`);
    this.setState('loading', 'Preparing the data…');
    await nextFrame();
    try {
      const spec = this.form.dataSpec();
      const d = this.data?.key === specKey(spec) ? this.data : spec.kind === 'file' ? await openData(spec) : await buildSynthetic(spec);
      this.showData(d);
      void this.startScan(d).catch(() => undefined);
      const stream = mustStream(d);
      this.loss.reset(s.backends, s.spec.loss);
      this.fit.setLoss(s.spec);
      this.fit.reset(s.backends);
      this.epochLosses.clear();
      byId('loss-note').hidden = s.backends.length < 2;
      this.active = runners;
      this.setState('running', `Training on ${runners.map((r) => r.device).join(' and ')}${stream ? ' (streaming the data every epoch)' : ''}…`);
      const results = await Promise.all(runners.map((r) => this.runOne(r, d, s, stream)));
      const stopped = results.some((m) => m.stopped);
      const summary = results.map((m) => `${m.backend === 'webgpu' ? 'WebGPU' : 'CPU'}: ${m.epochsDone} epoch${m.epochsDone === 1 ? '' : 's'}`).join(', ');
      this.setState(stopped ? 'stopped' : 'done', `${stopped ? 'Stopped; the model trained so far is kept' : 'Done'} (${summary}).`);
    } catch (e) {
      this.active.forEach((r) => r.stop());
      const message = pageMessage((e as Error).message);
      this.setState('failed', /diverged/.test(message) ? `Diverged: ${message}` : `Training failed: ${message}`);
    } finally {
      this.active = [];
    }
  }

  private async runOne(r: Runner, d: LoadedData, s: RunSettings, stream: boolean): Promise<TrainedModel> {
    const losses: number[] = [];
    this.epochLosses.set(r.kind, losses);
    const result = await r.train(d, { spec: s.spec }, stream, {
      onStep: (p) => this.loss.addStep(r.kind, p.step, p.loss),
      onEpoch: (e) => {
        losses.push(e.loss);
        this.live.set(r.kind, e);
        this.loss.addEpoch(r.kind, e.epoch, e.loss);
        if (e.params) this.fit.setFit(r.kind, e.params);
        this.scheduleLive();
      },
      onPause: () => this.setState('paused', 'Paused. Resume, or Stop to keep the model trained so far.'),
    });
    const m: TrainedModel = { backend: r.kind, device: r.device, ...result, epochLosses: losses };
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
    const rows = new Map<BackendKind, MetricsRow>();
    const classes = this.classes();
    for (const k of this.settings?.backends ?? []) {
      const e = this.live.get(k);
      const m = this.models.get(k);
      if (m) rows.set(k, { metrics: m.metrics, validation: m.validation, classes: m.classes ?? classes, epochs: m.epochsDone, secondsPerEpoch: m.secondsPerEpoch });
      else if (e) rows.set(k, { metrics: e.metrics, validation: e.validation, classes, epochs: e.epoch, secondsPerEpoch: e.seconds });
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
    const d = this.data;
    const { features, target } = d.source;
    const rows = d.dataset?.rows ?? this.scan?.value?.rows ?? null;
    const spec: TrainSpec = this.settings.spec;
    const file = modelFileFor(m, { features, target, rows, description: d.description, data: dataSettings(d.spec) }, spec);
    download(modelFileName(d.spec.kind === 'file' ? d.spec.file.name : d.spec.kind, spec, kind), JSON.stringify(file, null, 2) + '\n');
  }
}

