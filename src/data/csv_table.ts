// The streaming CSV reader for plans with text columns read one-hot (indicator features "column=level", see
// csv_plan.ts): numbers take csv_fast.ts's fast path as usual with the text columns (and a label target) stepped
// over, then each text cell is looked up among its column's levels and sets its indicator (a level the plan does
// not list sets none: the usual "ignore unknown categories" of one-hot encoders). A blank or unusual cell goes to
// readLineSlow, which applies the plan's rules for blanks and names the line and column. No Node imports.
import { fastLine, lineText, RowParser, skipField } from './csv_fast';
import { INDICATOR, SKIP, TARGET, type CsvPlan } from './csv_plan';

const NL = 10;
const QUOTE = 34;
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** The text of b[start, end): ASCII built directly (short levels are the common case), anything else decoded. */
function text(b: Uint8Array, start: number, end: number): string {
  if (end - start > 32) return utf8.decode(b.subarray(start, end));
  let s = '';
  for (let i = start; i < end; i++) {
    if (b[i] >= 0x80) return utf8.decode(b.subarray(start, end));
    s += String.fromCharCode(b[i]);
  }
  return s;
}

/** The trimmed text of the field b[start, end) as splitFields reads it (a field that starts with a quote unquoted). */
function fieldText(b: Uint8Array, start: number, end: number): string {
  if (b[start] !== QUOTE) return text(b, start, end).trim();
  const inner = text(b, start + 1, end - 1);
  return (inner.includes('""') ? inner.replace(/""/g, '"') : inner).trim();
}

/** Parses data lines whose features include text columns read one-hot (and possibly a label target). */
export class TableRowParser extends RowParser {
  private readonly fastRoles: Int32Array;
  /** Per column: its level → slot map (a text column), −1 for the label target, undefined otherwise. */
  private readonly texts: (Map<string, number> | -1 | undefined)[];
  private readonly zeros: number[];
  private readonly last: number;

  constructor(plan: CsvPlan, capacity: number, firstLine = 1) {
    super(plan, capacity, firstLine);
    this.fastRoles = plan.roles.map((r) => (r === INDICATOR || (r === TARGET && plan.labels !== null) ? SKIP : r));
    this.texts = Array.from(plan.roles, () => undefined);
    for (const { col, slots } of plan.indicators) this.texts[col] = slots;
    if (plan.labels !== null && plan.targetCol >= 0) this.texts[plan.targetCol] = -1;
    this.zeros = plan.indicators.flatMap((i) => [...i.slots.values()]);
    this.last = this.texts.reduce((at: number, t, c) => (t === undefined ? at : c), -1);
  }

  /**
   * Writes row r's indicators and label from the line at b[i] (fastLine accepted it); false when a text cell is
   * blank (left to the slow path).
   */
  private readTexts(b: Uint8Array, i: number, r: number): boolean {
    const { x, y, d, plan } = this;
    for (const j of this.zeros) x[r * d + j] = 0;
    for (let c = 0; c <= this.last; c++) {
      const end = skipField(b, i, plan.delim);
      const t = this.texts[c];
      if (t !== undefined) {
        const s = fieldText(b, i, end);
        if (s === '') return false;
        if (t === -1) {
          const k = plan.labels!.index(s);
          if (k < 0) return false;
          y[r] = k;
        } else {
          const slot = t.get(s);
          if (slot !== undefined) x[r * d + slot] = 1;
        }
      }
      i = end + 1;
    }
    return true;
  }

  override parse(b: Uint8Array, start: number, end: number): number {
    const { delim } = this.plan;
    const { d, x, y, capacity, fastRoles } = this;
    let r = this.rows;
    let i = start;
    let lineNo = this.lineNo;
    while (i < end && r < capacity) {
      lineNo++;
      const nl = fastLine(b, i, fastRoles, delim, x, y, r, d);
      if (nl >= 0 && this.readTexts(b, i, r)) {
        r++;
        i = nl + 1;
        continue;
      }
      const lf = b.indexOf(NL, i);
      if (this.slowLine(lineText(b, i, lf), lineNo, r)) r++;
      i = lf + 1;
    }
    this.rows = r;
    this.lineNo = lineNo;
    return i;
  }
}
