// Class labels of a classification target: the distinct values of the target column (numbers or text), sorted
// (numerically when every label is a number, so {−1, 1} and {0, 1} make the larger one class 1) and numbered
// 0..K−1. The model file records them; predictions are written back as labels.

/**
 * The canonical text of a numeric label: the shortest decimal with the same float32 value ("1", "-1", "0.1";
 * "1.0" and "1" are one label), since targets are held as float32.
 */
export function numberLabel(v: number): string {
  const f = Math.fround(v);
  if (f === 0 || !Number.isFinite(f)) return String(Math.abs(f) === 0 ? 0 : f);
  if (Number.isInteger(f) && Math.abs(f) < 1e15) return String(f);
  for (let p = 1; p < 9; p++) {
    const s = Number(f.toPrecision(p));
    if (Math.fround(s) === f) return String(s);
  }
  return String(Number(f.toPrecision(9)));
}

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/; // unambiguous: linear on a long cell

/** Sorts labels: by value when all are numbers, else as text (code-point order). */
export function sortLabels(labels: Iterable<string>): string[] {
  const all = [...new Set(labels)];
  if (all.every((l) => NUMERIC.test(l.trim()))) {
    const byValue = new Map(all.map((l) => [numberLabel(Number(l)), Number(l)]));
    return [...byValue.entries()].sort((a, b) => a[1] - b[1]).map(([l]) => l);
  }
  return all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The label text a target cell stands for (numbers canonicalized, text trimmed). */
export function canonicalLabel(cell: string): string {
  const t = cell.trim();
  return NUMERIC.test(t) ? numberLabel(Number(t)) : t;
}
