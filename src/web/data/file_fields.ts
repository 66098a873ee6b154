// The file part of the Data fields: the file picker (one file, or the CLI's X.npy with X.y.npy chosen together),
// a URL to read with range requests, the target column and the columns panel. Choosing data sniffs and previews
// it (files.ts), sets the target and the panel's defaults, and tells the form (which suggests settings and a loss
// that fits the target); an unreadable file is an error beside the picker. Its spec for a run follows the panel,
// reading every row first when the choices need it (one-hot levels or means of a large CSV or Parquet file).
import { profileCsvStream, type CsvProfile } from '../../data/csv_profile';
import { HttpFile } from '../../data/http_file';
import type { DataSpec, FileRef } from './datasets';
import { defaultChoices, defaultTarget, tablePlan, targetInfo, type TableChoices, type TablePlan, type TargetInfo } from './columns';
import { ColumnsPanel } from './columns_panel';
import { npyPair, parquetBuffer, parquetProfile, previewFile, type FilePreview } from './files';
import { previewInWorker } from './scan_client';
import { byId, h } from '../views';

const input = (id: string) => byId<HTMLInputElement>(id);
const select = (id: string) => byId<HTMLSelectElement>(id);
const NO_FILE = { message: 'Choose a CSV, NPY or Parquet file.', chosen: false };

/** A file chosen here: a File, or a URL. */
type ChosenRef = Exclude<FileRef, { cached: string }>;

/** The chosen data: where it is, its preview, and its columns' profile. */
interface Chosen {
  ref: ChosenRef;
  yFile?: File;
  name: string;
  size: number;
  preview: FilePreview;
  profile: CsvProfile;
  choices: TableChoices;
  /** The profile of every row, once read (the first pass). */
  full?: Promise<CsvProfile>;
}

/** The file fields of the form. */
export class FileFields {
  /** Told when the data changes (target, columns or file): the preview follows. */
  onChange: () => void = () => {};
  /** Told when a file has been read: the form suggests settings for its size and a loss for its target. */
  onChosen: (rows: number | null, target: TargetInfo | null) => void = () => {};
  /** Why the chosen file cannot be read (no file, or an unreadable one), or null. */
  private fileProblem: { message: string; chosen: boolean } | null = NO_FILE;
  private chosen: Chosen | null = null;
  private seq = 0;
  private readonly panel = new ColumnsPanel(byId('columns-panel'), () => this.changed());

  constructor() {
    input('file').addEventListener('change', () => void this.chooseFiles());
    byId('url-open').addEventListener('click', () => void this.chooseUrl());
    input('url').addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault(); // Enter opens the URL; it never submits the form (Start)
      void this.chooseUrl();
    });
    select('target').addEventListener('change', () => this.changed());
  }

  /** Why there is no data to train on (no file, an unreadable one, or hash bits out of bounds), or null. */
  get problem(): { message: string; chosen: boolean } | null {
    const bits = this.fileProblem ? null : this.plan()?.hashProblem;
    return this.fileProblem ?? (bits ? { message: bits, chosen: true } : null);
  }

  /** The chosen file's rows (stated, or estimated for a CSV), for the suggested settings. */
  get rows(): number | null {
    return this.chosen ? this.chosen.preview.rows ?? this.chosen.preview.approxRows : null;
  }

  /** What the target column holds, when the profile knows. */
  get target(): TargetInfo | null {
    return this.chosen ? targetInfo(this.chosen.profile, select('target').value) : null;
  }

  /** The reader's options the panel's choices make now (null without a file). */
  plan(): TablePlan | null {
    const c = this.chosen;
    if (!c) return null;
    return tablePlan(c.profile, select('target').value, c.choices);
  }

  private changed(): void {
    this.render();
    this.onChange();
  }

  private render(): void {
    const c = this.chosen;
    const plan = this.plan();
    if (!c || !plan) return this.panel.clear();
    this.panel.render(c.profile, select('target').value, c.choices, plan, { format: c.preview.format });
  }

  private async chooseFiles(): Promise<void> {
    const files = Array.from(input('file').files ?? []);
    const pair = npyPair(files);
    input('url').value = '';
    await this.choose(files.length === 0 ? null : pair ? { ref: pair[0], yFile: pair[1] } : { ref: files[0] });
  }

  private async chooseUrl(): Promise<void> {
    const text = input('url').value.trim();
    if (!text) return;
    let url: string;
    try {
      url = new URL(text, location.href).href;
    } catch {
      return this.fail(`${text} is not a URL`);
    }
    input('file').value = '';
    await this.choose({ ref: { url } });
  }

  private fail(message: string): void {
    this.chosen = null;
    this.fileProblem = { message, chosen: true };
    select('target').replaceChildren(h('option', {}, 'unreadable file'));
    this.panel.clear();
    this.onChange();
  }

  /** Reads a file's columns: the target select, the panel, and the form's suggestions follow. */
  private async choose(c: { ref: ChosenRef; yFile?: File } | null): Promise<void> {
    const seq = ++this.seq;
    const target = select('target');
    target.disabled = true;
    this.chosen = null;
    this.panel.clear();
    this.fileProblem = c ? { message: 'Reading the file…', chosen: false } : NO_FILE;
    if (!c) {
      target.replaceChildren(h('option', {}, 'choose a file first'));
      return this.onChange();
    }
    this.onChange(); // the last file's data, error and results go
    try {
      const file = 'url' in c.ref ? await HttpFile.open(c.ref.url) : c.ref;
      // A file on disk is previewed in a worker (a Parquet row group decodes there); one from a URL, here.
      const preview = file instanceof File && typeof Worker !== 'undefined' ? await previewInWorker(file, c.yFile) : await previewFile(file, c.yFile);
      if (seq !== this.seq) return;
      const profile = preview.profile;
      this.chosen = { ...c, name: file.name, size: file.size, preview, profile, choices: defaultChoices(profile) };
      target.replaceChildren(...preview.columns.map((col) => h('option', { value: col }, col)));
      target.value = defaultTarget(profile);
      target.disabled = false;
      this.fileProblem = null;
      this.render();
      this.onChosen(this.rows, this.target);
      this.onChange();
    } catch (e) {
      if (seq === this.seq) this.fail((e as Error).message);
    }
  }

  /** The first line of the summary for the chosen file. */
  describe(): string {
    const c = this.chosen;
    if (!c) return '';
    const rows = this.rows;
    const size = c.preview.rows !== null ? `, ${c.preview.rows.toLocaleString('en-US')} rows` : rows !== null ? `, about ${rows.toLocaleString('en-US')} rows` : '';
    return `${c.name}: ${c.preview.columns.length} columns${size}; the target is "${select('target').value}".`;
  }

  /** Every row's profile (one pass over the file, shown in the panel once read). */
  private fullProfile(c: Chosen, onRows?: (rows: number) => void): Promise<CsvProfile> {
    c.full ??= (async () => {
      const file = 'url' in c.ref ? await HttpFile.open(c.ref.url) : c.ref;
      const p = c.preview.format === 'parquet'
        ? await parquetProfile(c.name, await parquetBuffer(file), { onRows })
        : await profileCsvStream(c.name, file.stream(), { delimiter: c.profile.delimiter, onRows });
      if (this.chosen === c) {
        c.profile = p;
        this.render();
      }
      return p;
    })().catch((e: unknown) => {
      c.full = undefined;
      throw e;
    });
    return c.full;
  }

  /** The spec of the chosen file for a run (`labels`: read the target as classes). */
  async spec(labels: boolean, onRows?: (rows: number) => void): Promise<DataSpec> {
    const c = this.chosen;
    if (!c || this.problem) throw new Error(this.problem?.message ?? NO_FILE.message);
    let plan = this.plan()!;
    if (plan.needsPass) {
      await this.fullProfile(c, onRows);
      plan = this.plan()!;
    }
    if (plan.features.length === 0 && !plan.hashed) throw new Error('No feature column is used: tick at least one under Columns');
    const { features, missing, fill, decimalComma, hashed, hashBits } = plan;
    const table = { features, missing, decimalComma, ...(fill ? { fill } : {}), ...(hashed ? { hashed, hashBits } : {}) };
    return { kind: 'file', file: c.ref, ...(c.yFile ? { yFile: c.yFile } : {}), name: c.name, size: c.size, target: select('target').value, labels, table };
  }
}
