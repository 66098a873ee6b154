// Checks of a parsed JSON document's fields, each failure an error naming the file and the field's path
// ("run.best.params.weights[3]: expected a finite number, got null"): the readers of checkpoints and model files.

/** A bad field of a document; the message names the file and the field. */
export class FieldError extends Error {
  override name = 'FieldError';
  constructor(readonly file: string, readonly field: string, what: string) {
    super(`${file}: field "${field}" ${what}`);
  }
}

const shown = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 37)}…` : s;
};

/** Field readers bound to one file. */
export class Fields {
  constructor(readonly file: string) {}

  fail(field: string, what: string): never {
    throw new FieldError(this.file, field, what);
  }

  object(v: unknown, field: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, `must be an object, got ${shown(v)}`);
    return v as Record<string, unknown>;
  }

  /** A number; `int` for a whole number; inclusive bounds. */
  number(v: unknown, field: string, o: { int?: boolean; min?: number; max?: number; finite?: boolean } = {}): number {
    const ok = typeof v === 'number' && !Number.isNaN(v) && (o.finite === false || Number.isFinite(v)) && (!o.int || Number.isSafeInteger(v)) &&
      (o.min === undefined || v >= o.min) && (o.max === undefined || v <= o.max);
    if (!ok) {
      const range = o.min !== undefined && o.max !== undefined ? ` from ${o.min} to ${o.max}` : o.min !== undefined ? ` ≥ ${o.min}` : o.max !== undefined ? ` ≤ ${o.max}` : '';
      this.fail(field, `must be ${o.int ? 'a whole number' : o.finite === false ? 'a number' : 'a finite number'}${range}, got ${shown(v)}`);
    }
    return v as number;
  }

  /** A list of `n` (when given) finite numbers. */
  numbers(v: unknown, field: string, n?: number): number[] {
    if (!Array.isArray(v)) this.fail(field, `must be a list of numbers, got ${shown(v)}`);
    const list = v as unknown[];
    if (n !== undefined && list.length !== n) this.fail(field, `must hold ${n} numbers, got ${list.length}`);
    list.forEach((x, i) => this.number(x, `${field}[${i}]`));
    return list as number[];
  }

  list(v: unknown, field: string, n?: number): unknown[] {
    if (!Array.isArray(v)) this.fail(field, `must be a list, got ${shown(v)}`);
    if (n !== undefined && (v as unknown[]).length !== n) this.fail(field, `must hold ${n} entries, got ${(v as unknown[]).length}`);
    return v as unknown[];
  }

  string(v: unknown, field: string): string {
    if (typeof v !== 'string') this.fail(field, `must be a string, got ${shown(v)}`);
    return v as string;
  }

  boolean(v: unknown, field: string): boolean {
    if (typeof v !== 'boolean') this.fail(field, `must be true or false, got ${shown(v)}`);
    return v as boolean;
  }
}
