// Terminal output: tables and the coefficient listing. Formatting only.

/** Renders rows as an aligned text table (first row is the header). */
export function table(rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0].map(() => 0);
  for (const r of cells) r.forEach((v, c) => (widths[c] = Math.max(widths[c] ?? 0, v.length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [line(cells[0]), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** A number with `digits` significant digits. */
export function fmt(v: number, digits = 6): string {
  return Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : String(v);
}
