// CSV data lines as fields of text, for readers that keep text columns (csv_encoded.ts): the header check, quoting
// and field counts of parseCsv's rules (csv_plan.ts), one line at a time, and the cell readers shared by the passes —
// a number (the same rules and messages as the numeric reader) and a target (a number, or a class label).
// No Node imports.
import { DataError, quoteValue } from './csv';
import { lineText } from './csv_fast';
import { isBlank, splitFields, type CsvPlan } from './csv_plan';
import { regions, textChunks, type ByteStream } from './csv_stream';
import { textTargetHint } from './target_labels';

const NL = 10;

/** parseCsv's number syntax (csv_plan.ts). */
export const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Each data line of a pass as its fields, with its 1-based line number; blank lines are passed over. */
export async function* dataLines(plan: CsvPlan, open: () => ByteStream, signal?: AbortSignal): AsyncGenerator<[fields: string[], line: number]> {
  const delim = String.fromCharCode(plan.delim);
  let line = 0;
  for await (const [b, start, end] of regions(textChunks(plan.file, open()), signal)) {
    for (let i = start; i < end; ) {
      const nl = b.indexOf(NL, i);
      let text = lineText(b, i, nl);
      i = nl + 1;
      line++;
      if (line === 1) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        if (text !== plan.headerLine) throw new DataError(plan.file, 1, null, 'the header changed since the file was opened');
        continue;
      }
      if (isBlank(text)) continue;
      const fields = splitFields(text, delim, plan.file, line);
      if (fields.length !== plan.header.length) {
        throw new DataError(plan.file, line, null, `expected ${plan.header.length} fields like the header, found ${fields.length}`);
      }
      yield [fields, line];
    }
  }
}

const where = (p: CsvPlan, col: number): string => `${col + 1} ${quoteValue(p.header[col])}`;

/** A numeric cell, or a DataError naming the line and column (the numeric reader's messages). */
export function numberCell(p: CsvPlan, fields: string[], col: number, line: number, hint = ''): number {
  const s = fields[col].trim();
  if (!NUMBER.test(s)) {
    const why = s === '' ? 'missing value; expected a number' : `expected a number, got ${quoteValue(s)}${col === p.targetCol ? textTargetHint() : hint}`;
    throw new DataError(p.file, line, where(p, col), why);
  }
  const v = Number(s);
  if (!Number.isFinite(Math.fround(v))) throw new DataError(p.file, line, where(p, col), `the number ${s} is outside the float32 range`);
  return v;
}

/** The target of a line: a number, a class label's index (label mode), or NaN when the file has no target. */
export function targetCell(p: CsvPlan, fields: string[], line: number): number {
  if (p.targetCol < 0) return NaN;
  if (p.labels === null) return numberCell(p, fields, p.targetCol, line);
  const k = p.labels.index(fields[p.targetCol]);
  if (k < 0) throw new DataError(p.file, line, where(p, p.targetCol), 'missing value; expected a class label');
  return k;
}

/** Whether a cell is text (not a number, not blank): what makes a column categorical when nobody said so. */
export function isText(cell: string): boolean {
  const s = cell.trim();
  return s !== '' && !NUMBER.test(s);
}
