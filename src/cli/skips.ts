// Which rows --skip-bad-rows skipped: the first few lines with their reasons, for a report on stderr.
import type { SkippedRow } from '../data/csv_plan';

/** Lines shown in a summary. */
const SHOWN = 5;

/** Collects skipped rows (each line once, however many passes see it) and summarizes them. */
export class SkipLog {
  private readonly first = new Map<number, string>();

  /** Pass as the source's onSkip. */
  readonly onSkip = (s: SkippedRow): void => {
    if (this.first.size < SHOWN) this.first.set(s.line, s.reason);
  };

  /** "skipped 12 bad rows: data.csv:4 (…): …; …", or null when none were skipped. */
  summary(total: number): string | null {
    if (total === 0 || this.first.size === 0) return null;
    const lines = [...this.first.values()].map((r) => `  ${r}`);
    const more = total > this.first.size ? `\n  … and ${total - this.first.size} more` : '';
    return `skipped ${total} bad row${total === 1 ? '' : 's'}:\n${lines.join('\n')}${more}`;
  }
}
