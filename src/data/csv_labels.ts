// The streaming CSV reader in label mode (CsvStreamOptions.labels): features take csv_fast.ts's fast path as
// usual, the target cell is read as text and looked up in the source's label dictionary (target_labels.ts).
// Anything unusual in a line goes to readLineSlow, like the numeric reader, so both paths give the same indices
// and the same errors. The numeric reader (RowParser) is left untouched. No Node imports.
import { fastLine, lineText, RowParser, skipField } from './csv_fast';
import { SKIP, type CsvPlan } from './csv_plan';
import type { TargetLabels } from './target_labels';

const NL = 10;
const QUOTE = 34;
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** The text of b[start, end): ASCII built directly (short labels are the common case), anything else decoded. */
function text(b: Uint8Array, start: number, end: number): string {
  if (end - start > 24) return utf8.decode(b.subarray(start, end));
  let s = '';
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c >= 0x80) return utf8.decode(b.subarray(start, end));
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * The label index of column `col` of the well-formed line at b[i] (fastLine accepted it), or −1 for a blank
 * cell (left to the slow path, which names the line and column).
 */
function labelAt(b: Uint8Array, i: number, col: number, delim: number, labels: TargetLabels): number {
  for (let c = 0; c < col; c++) i = skipField(b, i, delim) + 1;
  const end = skipField(b, i, delim);
  if (b[i] !== QUOTE) return labels.index(text(b, i, end));
  const inner = text(b, i + 1, end - 1);
  return labels.index(inner.includes('""') ? inner.replace(/""/g, '"') : inner);
}

/** Parses data lines whose target is a class label into chunks of features and label indices. */
export class LabelRowParser extends RowParser {
  private readonly fastRoles: Int32Array;
  private readonly labels: TargetLabels;

  constructor(plan: CsvPlan, capacity: number, firstLine = 1) {
    super(plan, capacity, firstLine);
    if (plan.labels === null || plan.targetCol < 0) throw new Error('LabelRowParser needs a plan in label mode with a target column');
    this.labels = plan.labels;
    // The fast path reads the features and steps over the target; labelAt reads the target's text.
    this.fastRoles = plan.roles.slice();
    this.fastRoles[plan.targetCol] = SKIP;
  }

  override parse(b: Uint8Array, start: number, end: number): number {
    const { delim, targetCol } = this.plan;
    const { d, x, y, capacity, fastRoles, labels } = this;
    let r = this.rows;
    let i = start;
    let lineNo = this.lineNo;
    while (i < end && r < capacity) {
      lineNo++;
      const nl = fastLine(b, i, fastRoles, delim, x, y, r, d);
      const k = nl >= 0 ? labelAt(b, i, targetCol, delim, labels) : -1;
      if (k >= 0) {
        y[r++] = k;
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
