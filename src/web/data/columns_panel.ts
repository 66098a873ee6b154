// The columns panel of a file: one row per column with its detected type (number, text with its level count,
// constant, mostly missing, identifier), a checkbox to use it (the target's row says "target" instead), and for a
// text column its encoding (one-hot or hashing); above the table, what blank cells become (rows skipped, or the
// column's mean) and a note on decimal commas and where the types come from; below it, when a column is hashed, the
// hash bits (2^b buckets, the CLI's --hash-bits). The rules are columns.ts.
import type { CsvProfile } from '../../data/csv_profile';
import { HASH_BITS, textProblem, typeText, type Encoding, type TableChoices, type TablePlan } from './columns';
import type { FilePreview } from './files';
import { byId, h } from '../views';

/** The panel: rendered from a profile and the choices, which it updates as the user changes them. */
export class ColumnsPanel {
  constructor(private readonly el: HTMLElement, private readonly changed: () => void) {}

  /** Hides the panel (no file, or a file without columns to choose). */
  clear(): void {
    byId('columns-fields').hidden = true;
    this.el.replaceChildren();
  }

  /** Shows the columns of a profile with the choices; `plan` says which are used and why others are not. */
  render(p: CsvProfile, target: string, c: TableChoices, plan: TablePlan, o: { format: FilePreview['format'] }): void {
    byId('columns-fields').hidden = false;
    const used = plan.features.length;
    const left = new Map(plan.left.map((l) => [l.name, l.why]));
    const hashed = plan.hashed?.length ?? 0;
    const buckets = hashed ? `, ${hashed} hashed into 2^${plan.hashBits} buckets` : '';
    byId('columns-title').textContent = `Columns: ${p.columns.length - 1 - left.size} of ${p.columns.length - 1} used (${used} feature${used === 1 ? '' : 's'}${buckets}) → ${target}`;
    const rows = p.columns.map((col, i) => {
      const isTarget = col.name === target;
      const choice = c.columns[col.name];
      const use = isTarget
        ? h('span', { class: 'role' }, 'target')
        : h('input', { type: 'checkbox', id: `col-use-${i}`, 'aria-label': `Use ${col.name}`, ...(choice.use ? { checked: '' } : {}) });
      use.addEventListener('change', () => {
        choice.use = (use as HTMLInputElement).checked;
        this.changed();
      });
      const why = left.get(col.name);
      const text = !col.numeric && col.kind !== 'missing';
      const enc = text && !isTarget ? this.encoding(i, col.name, choice) : h('span', {}, col.numeric ? '' : '—');
      const problem = text && choice.use && !isTarget ? textProblem(col, choice.encoding) : null;
      return h('tr', { 'data-column': col.name, 'data-kind': col.kind, 'data-used': String(isTarget || !why) },
        h('td', {}, use), h('th', { scope: 'row' }, col.name),
        h('td', {}, ...typeCell(typeText(col), why ?? problem)), h('td', {}, enc));
    });
    const csv = o.format === 'csv';
    const sampled = csv || o.format === 'parquet';
    const notes = [
      p.decimalComma ? 'Numbers with a decimal comma are read (1,5 = 1.5).' : '',
      sampled && !p.complete ? `Types from the first ${p.rows.toLocaleString('en-US')} rows; levels and means are read from every row when needed.` : '',
    ].filter(Boolean).join(' ');
    this.el.replaceChildren(
      ...(csv ? [this.missing(c)] : []),
      ...(notes ? [h('p', { class: 'hint', id: 'columns-note' }, notes)] : []),
      h('div', { class: 'scroll' }, h('table', { class: 'columns', id: 'columns-table' },
        h('thead', {}, h('tr', {}, ...['use', 'column', 'type', 'encoding'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, ...rows))),
      ...(hashed ? [this.hashBits(c, plan.hashProblem)] : []));
  }

  /** The hash bits of the hashed columns, with its error (the same rules as the CLI's --hash-bits). */
  private hashBits(c: TableChoices, problem: string | null): HTMLElement {
    const input = h('input', {
      id: 'hash-bits', type: 'text', inputmode: 'numeric', value: c.hashBits, 'aria-describedby': 'hash-bits-error', 'aria-invalid': String(!!problem), title: HASH_BITS.help,
    });
    input.addEventListener('change', () => {
      c.hashBits = input.value;
      this.changed();
    });
    return h('div', { class: 'field', id: 'hash-bits-field' }, h('label', { for: 'hash-bits' }, 'Hash bits (2^b buckets)'), input,
      h('p', { class: 'error', id: 'hash-bits-error' }, problem ?? ''));
  }

  private encoding(i: number, name: string, choice: { encoding: Encoding }): HTMLElement {
    const sel = h('select', { id: `col-enc-${i}`, 'aria-label': `Encoding of ${name}` },
      h('option', { value: 'one-hot' }, 'one-hot'), h('option', { value: 'hashing' }, 'hashing'));
    sel.value = choice.encoding;
    sel.addEventListener('change', () => {
      choice.encoding = sel.value as Encoding;
      this.changed();
    });
    return sel;
  }

  private missing(c: TableChoices): HTMLElement {
    const sel = h('select', { id: 'missing' },
      h('option', { value: 'skip' }, 'skip those rows (counted)'), h('option', { value: 'mean' }, 'fill with the column\'s mean'));
    sel.value = c.missing;
    sel.addEventListener('change', () => {
      c.missing = sel.value as TableChoices['missing'];
      this.changed();
    });
    return h('div', { class: 'field wide' }, h('label', { for: 'missing' }, 'Blank cells'), sel);
  }
}

/** A column's type and why it is left out, the type said once ("constant: every row holds …", not "constant" above it). */
function typeCell(type: string, why: string | null | undefined): (string | HTMLElement)[] {
  if (!why) return [type];
  return why.toLowerCase().includes(type.split(',')[0]) ? [h('span', { class: 'why' }, why)] : [type, h('span', { class: 'why' }, why)];
}
