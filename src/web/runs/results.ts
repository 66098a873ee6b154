// The coefficient table and the metrics lines: each backend's model (as it trains, then finished) beside the
// truth and the exact least-squares answer, one output at a time for a multiclass model, and the metrics by
// task. Redrawn at most once per frame and ten times a second however fast epochs arrive (FrameTask).
import type { BackendKind } from '../../backend';
import type { ModelParams } from '../../core/model';
import type { DataPanel } from '../data/data_panel';
import type { TrainedModel } from './export';
import type { EpochPoint } from './loop';
import { pageMessage } from '../form/settings';
import { FrameTask } from '../charts/plot';
import { runText } from './outcome';
import { byId, h, renderCoefTable, renderMetrics, type MetricsRow } from '../views';

/** The results card of the page. */
export class ResultsView {
  private readonly liveTask = new FrameTask(() => this.renderLive());

  constructor(
    private readonly data: DataPanel, private readonly backends: () => readonly BackendKind[],
    private readonly models: ReadonlyMap<BackendKind, TrainedModel>, private readonly live: ReadonlyMap<BackendKind, EpochPoint>,
  ) {}

  /** The classes of what is shown: from a trained model, else from the scan. */
  classes(): string[] | null {
    for (const m of this.models.values()) if (m.classes) return m.classes;
    return this.data.currentScan()?.classes ?? null;
  }

  /** Redraws the table (after a new model, scan or class choice). */
  render(): void {
    const d = this.data.data;
    const table = byId<HTMLTableElement>('coef-table');
    if (!d) {
      byId('coef-class-label').hidden = true;
      byId('coef-caption').textContent = '';
      table.replaceChildren();
      renderMetrics(byId('metrics'), new Map());
      return;
    }
    const fits = new Map<BackendKind, ModelParams>();
    for (const k of this.backends()) {
      const p = this.models.get(k)?.params ?? this.live.get(k)?.params;
      if (p) fits.set(k, p);
    }
    const scan = this.data.currentScan();
    const classes = this.classes();
    const outputs = Math.max(1, ...[...fits.values()].map((p) => p.bias.length));
    const picker = byId<HTMLSelectElement>('coef-class');
    byId('coef-class-label').hidden = outputs < 2;
    if (outputs >= 2 && picker.options.length !== outputs) {
      picker.replaceChildren(...Array.from({ length: outputs }, (_, c) => h('option', { value: String(c) }, classes?.[c] ?? String(c))));
    }
    const warnings = (scan?.exactWarnings ?? []).map((w) => `Least squares: ${pageMessage(w)}.`).join(' ');
    byId('coef-caption').textContent = outputs >= 2 ? 'Each class has its own weights; the class with the largest x·w + b is predicted.'
      : classes?.length === 2 ? `The weights of class “${classes[1]}” against “${classes[0]}”: x·w + b > 0 predicts “${classes[1]}”.` : warnings;
    const output = outputs >= 2 ? Number(picker.value) || 0 : 0;
    // The exact answer: solved, being solved, or (when the scan failed or was not started) not shown.
    const exact = this.data.classify(d) ? null : scan?.exact ?? (this.data.scanning ? 'pending' : null);
    const read = d.spec.kind === 'file' ? d.spec.table : undefined;
    const sparse = read?.hashed?.length ? `${read.hashed.join(', ')} hashed into 2^${read.hashBits} buckets` : undefined;
    renderCoefTable(table, { features: d.source.features, fitBias: this.data.fitBias(), output, truth: d.truth, exact, fits, ...(sparse ? { sparse } : {}) });
    if (fits.size === 0 && this.models.size === 0) renderMetrics(byId('metrics'), new Map());
  }

  /** Redraws the table and the metrics lines. */
  renderLive(): void {
    this.liveTask.cancel();
    this.render();
    const rows = new Map<BackendKind, MetricsRow>();
    const classes = this.classes();
    for (const k of this.backends()) {
      const e = this.live.get(k);
      const m = this.models.get(k);
      const gap = m?.gapHistory?.at(-1) ?? e?.gap;
      if (m) {
        rows.set(k, {
          metrics: m.metrics, validation: m.validation, classes: m.classes ?? classes, epochs: m.epochsDone, secondsPerEpoch: m.secondsPerEpoch, compileSeconds: m.compileSeconds, gap, solved: m.solved ? (m.exact && !m.solve ? 'solved exactly in one pass' : runText(m)) : undefined,
        });
      }
      else if (e) rows.set(k, { metrics: e.metrics, validation: e.validation, classes, epochs: e.epoch, secondsPerEpoch: e.seconds, gap });
    }
    renderMetrics(byId('metrics'), rows);
  }

  /** Redraws on a coming frame (many epochs in between draw once; FrameTask). */
  scheduleLive(): void {
    this.liveTask.request();
  }
}
