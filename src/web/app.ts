// The training side of the page: Start opens the data (data_panel.ts), runs the chosen backends at once (WebGPU
// in the page, the CPU in its worker) under one training spec and streams their losses, coefficients and metrics
// into the charts and tables, with a progress line (phase, epoch x/N, elapsed, time left). Pause, Stop (keeping
// the model so far) and Download act on the same runs. A run that diverges ends "Diverged" with a safer rate.
import type { BackendKind } from '../backend';
import { LOSSES } from '../core/losses';
import { LossChart, type LossView } from './charts/charts';
import { DataPanel } from './data/data_panel';
import { dataSettings, MEMORY_BUDGET, mustStream, type LoadedData } from './data/datasets';
import { download, modelFileFor, modelFileName, type TrainedModel } from './runs/export';
import { FitChart } from './charts/fit_chart';
import { PathChart } from './charts/path_chart';
import type { TrainFormView } from './form/form';
import type { EpochPoint } from './runs/loop';
import { ProgressLine } from './runs/progress_line';
import { ResultsView } from './runs/results';
import type { Runner } from './runs/runners';
import { divergenceOf } from './runs/diverged';
import { ResumeOffer } from './runs/resume_offer';
import { discardRun, saveRun, savedRunOf, savedSpec, type Interrupted } from './runs/saved_run';
import { outcome, runningText, type Settled } from './runs/outcome';
import { hashingProblem, lossMismatch, startProblem } from './form/loss_fit';
import { pageMessage, parseTrainForm, type RunSettings } from './form/settings';
import { controlsFor, type RunState } from './state';
import { byId } from './views';

const button = (id: string) => byId<HTMLButtonElement>(id);
// A frame for the status to paint before a long synchronous step (a timer too, as hidden tabs get no frames).
const nextFrame = () => new Promise<void>((r) => {
  requestAnimationFrame(() => setTimeout(r, 0));
  setTimeout(r, 100);
});
const DIVERGED_COLOR = '#b91c1c';
const EARLY_COLOR = '#15803d';

/** The page's training runs. */
export class TrainApp {
  private state: RunState = 'idle';
  private settings: RunSettings | null = null;
  private active: Runner[] = [];
  private blocked = false;
  private progress: ProgressLine | null = null;
  private readonly live = new Map<BackendKind, EpochPoint>();
  private readonly models = new Map<BackendKind, TrainedModel>();
  private readonly epochLosses = new Map<BackendKind, number[]>();
  private readonly loss = new LossChart(byId('loss-chart'));
  private readonly fit = new FitChart(byId('fit-chart'), byId('fit-title'));
  private readonly pathChart = new PathChart(byId('path-chart'), byId('path-card'), byId('path-caption'));
  private readonly data: DataPanel;
  private readonly results: ResultsView;
  private readonly offer = new ResumeOffer((r) => void this.resume(r));
  /** Told when a run starts and ends (the comparison waits meanwhile). */
  onBusy: (busy: boolean) => void = () => {};

  constructor(private readonly form: TrainFormView, private readonly runners: Partial<Record<BackendKind, Runner>>) {
    this.data = new DataPanel(form, this.fit, () => !controlsFor(this.state, false).editable);
    this.results = new ResultsView(this.data, () => this.settings?.backends ?? [], this.models, this.live);
    byId('train-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.start();
    });
    button('pause').addEventListener('click', () => this.togglePause());
    button('stop').addEventListener('click', () => this.stop());
    for (const k of ['webgpu', 'cpu'] as const) button(`export-${k}`).addEventListener('click', () => this.exportModel(k));
    byId('coef-class').addEventListener('change', () => this.results.render());
    const view = () => this.loss.setView(
      (document.querySelector<HTMLInputElement>('input[name=loss-x]:checked')?.value ?? 'step') as LossView,
      byId<HTMLInputElement>('loss-log').checked, byId<HTMLInputElement>('loss-smooth').checked);
    document.querySelectorAll('input[name=loss-x], #loss-log, #loss-smooth').forEach((el) => el.addEventListener('change', view));
    let previewTimer = 0;
    form.onDataChange = () => {
      this.data.override = null;
      if (!controlsFor(this.state, false).editable) return;
      this.data.pending();
      clearTimeout(previewTimer);
      previewTimer = window.setTimeout(() => {
        if (controlsFor(this.state, false).editable) void this.data.preview();
      }, 150);
    };
    form.onChange = () => {
      if (this.state === 'failed' || this.state === 'diverged') this.setState('idle', 'Ready.');
      this.updateStart();
    };
    this.data.onState = () => this.updateStart();
    this.data.onScan = () => this.results.render();
    this.data.onData = () => this.clearResults();
    this.updateStart();
    void this.data.preview();
    void this.offer.look();
  }

  private setState(s: RunState, message: string): void {
    const was = this.state;
    this.state = s;
    const status = byId('status');
    status.dataset.state = s;
    status.textContent = message;
    const c = controlsFor(s, this.models.size > 0 || [...this.live.values()].some((e) => e.params));
    button('pause').disabled = !c.pause;
    button('pause').textContent = c.pauseLabel;
    button('stop').disabled = !c.stop;
    for (const k of ['webgpu', 'cpu'] as const) button(`export-${k}`).disabled = !(c.export && this.exportable(k));
    this.form.setEditable(c.editable);
    this.updateStart();
    this.onBusy(!c.editable);
    // Focus follows the run: to Pause when it starts, back to Start when it ends (keyboard users stay in place).
    if (s === 'running' && was === 'loading') button('pause').focus();
    else if (c.editable && !controlsFor(was, false).editable) button('start').focus();
  }

  /**
   * Start is enabled when nothing runs, the comparison is idle, every field is valid, the data is readable and the
   * loss can fit what the page already knows of the target (its classes, or text); the reason stands under Start.
   */
  private updateStart(): void {
    const dataOk = this.data.state !== 'none' && this.data.state !== 'error';
    const target = this.form.kind === 'file' ? this.form.files.target : null;
    const classes = this.data.currentScan()?.classes;
    const problem = lossMismatch(this.form.kind, this.form.loss) ?? startProblem(this.form.loss, { classes, target }) ?? this.hashingProblem(classes?.length ?? target?.classes);
    const why = problem ? `Cannot train: ${problem}.` : '';
    if (byId('start-problem').textContent !== why) byId('start-problem').textContent = why;
    button('start').disabled = this.blocked || !controlsFor(this.state, false).start || !this.form.valid || !dataOk || !!problem;
    button('start').title = !this.form.valid ? 'Fix the fields marked in red first' : !dataOk ? this.data.problem : why;
  }

  /** Why the file's hashed columns cannot train under the form's settings (a solver that needs dense columns, too many buckets), or null. */
  private hashingProblem(classes: number | null | undefined): string | null {
    const plan = this.form.kind === 'file' ? this.form.files.plan() : null;
    const parsed = plan?.hashed ? parseTrainForm({ values: this.form.values(), backend: 'cpu' }) : null;
    if (!plan?.hashed || !parsed?.ok) return null;
    const outputs = LOSSES[this.form.loss].task === 'multiclass' ? classes ?? 1 : 1;
    return hashingProblem(parsed.value.spec, { columns: plan.hashed, bits: plan.hashBits!, outputs, budget: MEMORY_BUDGET });
  }

  /** Offers the loss chart's gap view for runs that report the gap (and leaves it when they do not). */
  private showGapView(on: boolean): void {
    const gap = document.querySelector<HTMLInputElement>('input[name=loss-x][value=gap]')!;
    gap.closest('label')!.hidden = !on;
    if (!on && gap.checked) {
      const epoch = document.querySelector<HTMLInputElement>('input[name=loss-x][value=epoch]')!;
      epoch.checked = true;
      epoch.dispatchEvent(new Event('change'));
    }
  }

  /** Holds Start while the comparison runs. */
  setBlocked(blocked: boolean): void {
    this.blocked = blocked;
    this.updateStart();
  }

  /** New data: the loss chart, models, metrics and the last run's status and time no longer apply. */
  private clearResults(): void {
    if (!controlsFor(this.state, false).editable) return;
    this.models.clear();
    this.live.clear();
    this.pathChart.show(null);
    this.loss.reset([], this.form.loss);
    byId('loss-chart').dataset.empty = 'Press Start: the loss of each backend appears here as it trains.';
    byId('loss-note').hidden = true;
    byId('progress-text').textContent = '';
    this.results.render();
    if (this.state !== 'idle') this.setState('idle', 'Ready.');
  }

  /** Resumes a run a reload interrupted: the form as it was, its data (a file's cached rows), each backend's checkpoint. */
  private async resume(r: Interrupted): Promise<void> {
    this.form.restore(r.run.kind, r.run.values, r.run.data, r.run.backend);
    this.data.override = savedSpec(r.run.source);
    await this.start(r);
  }

  private async start(resumed?: Interrupted): Promise<void> {
    this.offer.hide();
    const parsed = this.form.settings();
    if (!parsed.ok || !this.form.valid) return this.setState('failed', 'Fix the fields marked in red first.');
    const s = (this.settings = parsed.value);
    const runners = s.backends.map((k) => this.runners[k]).filter((r): r is Runner => r !== undefined);
    if (runners.length === 0) return this.setState('failed', 'WebGPU is not available here; choose the CPU backend.');
    this.models.clear();
    this.live.clear();
    this.pathChart.show(null);
    this.setState('loading', this.form.kind === 'file' || this.form.kind === 'flights' ? 'Opening the data…' : 'Generating the data…');
    this.progress?.end(false);
    this.progress = new ProgressLine(runners.map((r) => r.kind), s.spec.epochs);
    byId('loss-chart').dataset.empty = 'The loss appears here after the first steps (the progress line under Start says what is happening).';
    await nextFrame();
    try {
      const d = await this.data.open();
      const stream = mustStream(d);
      this.loss.reset(s.backends, s.spec.loss);
      this.fit.setLoss(s.spec);
      this.fit.reset(s.backends);
      this.epochLosses.clear();
      byId('loss-note').hidden = s.backends.length < 2;
      this.showGapView(s.spec.gap && s.spec.solver === 'gd');
      this.active = runners;
      const saved = savedRunOf(this.form.kind, this.form.values(), this.form.dataValues(), d, s);
      const kept = saved ? await saveRun(saved) : false;
      for (const r of runners) {
        this.progress.setPhase(r.kind, s.spec.solver === 'exact' ? 'solving least squares in one pass over the data'
          : r.kind === 'webgpu' ? 'compiling shaders and uploading the data' : 'loading the data');
      }
      this.setState('running', runningText(runners, stream));
      // When one backend fails, the others stop there and keep what they trained (stopped runs end with their model).
      const settled: Settled[] = await Promise.all(runners.map((r) => this.runOne(r, d, s, stream, kept, resumed?.checkpoints[r.kind]).then(
        (model): Settled => ({ kind: r.kind, model }),
        (error: unknown): Settled => {
          runners.filter((o) => o !== r).forEach((o) => o.stop());
          return { kind: r.kind, error };
        })));
      const end = outcome(settled, s.spec, (k) => this.epochLosses.get(k) ?? []);
      this.setState(end.state, end.text);
    } catch (e) {
      this.active.forEach((r) => r.stop());
      this.setState('failed', `Training failed: ${pageMessage((e as Error).message)}`);
    } finally {
      void discardRun();
      this.active = [];
      this.progress.end(this.state === 'done' || this.state === 'stopped');
      this.results.renderLive();
      this.loss.flush();
      this.fit.flush();
    }
  }

  private async runOne(r: Runner, d: LoadedData, s: RunSettings, stream: boolean, checkpoint: boolean, resume?: string): Promise<TrainedModel> {
    const losses: number[] = [];
    this.epochLosses.set(r.kind, losses);
    let result;
    try {
      result = await r.train(d, { spec: s.spec, ...(resume ? { resume } : {}) }, stream, {
        onStep: (p) => {
          this.loss.addStep(r.kind, p.step, p.loss);
          this.progress?.progressed(r.kind, p.done);
        },
        onEpoch: (e) => {
          losses.push(e.loss);
          this.live.set(r.kind, e);
          this.loss.addEpoch(r.kind, e.epoch, e.loss);
          if (e.gap !== undefined && e.gap !== null) this.loss.addGap(r.kind, e.epoch, e.gap);
          if (e.params) this.fit.setFit(r.kind, e.params);
          this.progress?.progressed(r.kind, e.epoch);
          this.results.scheduleLive();
        },
        onPhase: (phase) => {
          if (phase === 'compiling') this.progress?.setPhase(r.kind, r.kind === 'webgpu' ? 'compiling shaders (once per model)' : 'preparing');
        },
        onPause: () => {
          this.progress?.pause();
          this.setState('paused', 'Paused. Resume, or Stop to keep the model trained so far; Download saves the model as it is now.');
        },
      }, checkpoint);
    } catch (e) {
      if (divergenceOf(e)) this.loss.mark(r.kind, (divergenceOf(e)!.epoch ?? losses.length + 1), 'diverged', DIVERGED_COLOR);
      throw Object.assign(e as Error, { backend: r.kind });
    }
    const m: TrainedModel = { backend: r.kind, device: r.device, ...result, epochLosses: losses };
    this.models.set(r.kind, m);
    // One path on the chart: the first backend's to finish (in Both, the other's agrees within its precision).
    if (m.path && [...this.models.values()].filter((x) => x.path).length === 1) this.pathChart.show(m.path);
    if (m.earlyStop) this.loss.mark(r.kind, m.earlyStop.stoppedAfter, 'stopped early', EARLY_COLOR);
    this.fit.setFit(r.kind, m.params);
    return m;
  }

  private togglePause(): void {
    if (this.state === 'running') {
      this.active.forEach((r) => r.pause());
      byId('status').textContent = 'Pausing…';
      button('pause').disabled = true;
    } else if (this.state === 'paused') {
      this.progress?.resume();
      this.active.forEach((r) => r.resume());
      this.setState('running', 'Training…');
    }
  }

  private stop(): void {
    this.active.forEach((r) => r.stop());
    this.setState('stopping', 'Stopping; the model trained so far is kept…');
  }

  /** A backend's model to download: its finished run, or while paused the model after its last epoch. */
  private exportable(kind: BackendKind): TrainedModel | null {
    const m = this.models.get(kind);
    if (m) return m;
    const e = this.live.get(kind);
    if (!e?.params || this.state !== 'paused') return null;
    const r = this.runners[kind];
    return {
      backend: kind, device: r?.device ?? kind, params: e.params, classes: this.results.classes(), metrics: e.metrics, validation: e.validation ?? null,
      epochsDone: e.epoch, stopped: false, paused: true, secondsPerEpoch: e.seconds, epochLosses: [...(this.epochLosses.get(kind) ?? [])],
    };
  }

  private exportModel(kind: BackendKind): void {
    const m = this.exportable(kind);
    const d = this.data.data;
    if (!m || !d || !this.settings) return;
    const { features, target } = d.source;
    const rows = d.dataset?.rows ?? this.data.currentScan()?.rows ?? null;
    const encoding = d.source.sparse?.encoding;
    const fill = d.spec.kind === 'file' && d.spec.table?.missing === 'fill' ? d.spec.table.fill : undefined;
    const on = { features, target, rows, description: d.description, data: dataSettings(d.spec), ...(encoding ? { encoding } : {}), ...(fill ? { fill } : {}) };
    const file = modelFileFor(m, on, this.settings.spec);
    const name = d.spec.kind === 'file' ? d.spec.name : d.spec.kind;
    download(modelFileName(name, this.settings.spec, kind), JSON.stringify(file, null, 2) + '\n');
  }
}
