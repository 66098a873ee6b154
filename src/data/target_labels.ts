// The class labels a source finds in its target column (DataSource.targetLabels): canonical label texts in order
// of first appearance, kept for the source's lifetime so that every pass maps a label to the same index. Also the
// hint a regression read gives for a text target. No I/O.
import { canonicalLabel } from '../core/labels';
import { LOSS_NAMES, LOSSES } from '../core/losses';

/** Raw cell texts remembered per label dictionary (beyond this, cells are canonicalized each time). */
const CELL_CACHE = 1 << 16;

/** A growing dictionary of class labels: cell text → index into `list`. */
export class TargetLabels {
  /** Canonical labels (core/labels.ts) in order of first appearance. */
  readonly list: string[] = [];
  private readonly byLabel = new Map<string, number>();
  private readonly byCell = new Map<string, number>();

  /** The index of a cell's label (the cell as written, before trimming), added when new; −1 for a blank cell. */
  index(cell: string): number {
    const hit = this.byCell.get(cell);
    if (hit !== undefined) return hit;
    const label = canonicalLabel(cell);
    if (label === '') return -1;
    let k = this.byLabel.get(label);
    if (k === undefined) {
      k = this.list.length;
      this.list.push(label);
      this.byLabel.set(label, k);
    }
    if (this.byCell.size < CELL_CACHE) this.byCell.set(cell, k);
    return k;
  }
}

/** The classification losses, as a sentence's list: "logistic, hinge, modified-huber or softmax". */
function classLosses(): string {
  const names = LOSS_NAMES.filter((n) => LOSSES[n].task !== 'regression');
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** Added to the error for a text cell in a target read as numbers. */
export function textTargetHint(): string {
  return ` (a text target needs a classification loss: --loss ${classLosses()})`;
}
