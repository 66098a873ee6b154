// Property tests of the streaming CSV parser against the simple reference (src/data/csv.ts parseCsv):
// random valid CSVs (quoting, delimiters, CRLF, BOM, blank lines, spaces, unread text columns) split into
// chunks at random places — and one small file split at every byte — read identically; random corruptions
// either read identically (when still valid) or fail with the reference's DataError message, never otherwise.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { DataError, parseCsv } from '../../src/data/csv';
import { csvSourceFromStream, type CsvStreamOptions } from '../../src/data/csv_stream';
import { firstDiff, flatten, gather } from './helpers';

const enc = new TextEncoder();
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

function randomNumber(rng: Rng): string {
  const v = (rng.float() - 0.5) * 10 ** (rng.int(12) - 6);
  switch (rng.int(9)) {
    case 0: return String(rng.int(2000) - 1000);
    case 1: return v.toFixed(rng.int(8));
    case 2: return v.toExponential(rng.int(10)).replace('e', pick(rng, ['e', 'E']));
    case 3: return String(v);
    case 4: return pick(rng, ['-0', '+7', '.5', '5.', '-.25', '0001.5000', '1e-7', '3.4028234663852886e38']);
    case 5: return `${rng.int(10)}${'0123456789'.repeat(2).slice(0, rng.int(20))}.${rng.int(1000)}`;
    default: return Math.fround(v).toPrecision(1 + rng.int(9));
  }
}

function decorate(rng: Rng, cell: string, delim: string): string {
  const pad = () => (rng.int(4) === 0 ? pick(rng, delim === '\t' ? [' ', '  '] : [' ', '\t', '  ']) : '');
  if (rng.int(4) === 0) return `"${pad()}${cell}${pad()}"`;
  return `${pad()}${cell}${pad()}`;
}

const TEXT_CELLS = ['hello', '"a,b;c"', '"say ""hi"""', '', '"\tx"', 'n/a', 'x"y'];

/** A random valid CSV and the options to read it (target by name or index, sometimes a feature subset). */
function randomCsv(rng: Rng): { text: string; opts: CsvStreamOptions } {
  const ncol = 2 + rng.int(5);
  const delim = pick(rng, [',', ';', '\t']);
  const names = Array.from({ length: ncol }, (_, j) => `c${j}${pick(rng, ['', 'x', '_1', ' two'])}`);
  const t = rng.int(ncol);
  const subset = rng.int(3) === 0 ? names.map((_, j) => j).filter((j) => j !== t && rng.int(2) === 0) : null;
  const feats = subset && subset.length > 0 ? subset.sort(() => rng.int(3) - 1) : null;
  const read = new Set([t, ...(feats ?? names.map((_, j) => j))]);
  const header = names.map((n) => (rng.int(4) === 0 ? `"${n}"` : n)).join(delim);
  const lines = [header];
  const nrows = 1 + rng.int(25);
  for (let r = 0; r < nrows; r++) {
    if (rng.int(8) === 0) lines.push(pick(rng, ['', '  ', '\t']));
    lines.push(names.map((_, j) => (read.has(j) ? decorate(rng, randomNumber(rng), delim) : pick(rng, TEXT_CELLS))).join(delim));
  }
  let text = (rng.int(3) === 0 ? '\uFEFF' : '') + lines.map((l) => l + (rng.int(3) === 0 ? '\r\n' : '\n')).join('');
  if (rng.int(3) === 0) text = text.replace(/\r?\n$/, '');
  const target = rng.int(2) === 0 || names[t].includes(' ') ? String(t) : names[t];
  return { text, opts: { target, features: feats?.map((j) => names[j]) } };
}

/** A stream of the bytes cut at the given offsets. */
function pieces(bytes: Uint8Array, cuts: number[]): () => AsyncIterable<Uint8Array> {
  const at = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  return async function* () {
    for (let i = 0; i + 1 < at.length; i++) yield bytes.slice(at[i], at[i + 1]);
  };
}

type Outcome = { ok: true; g: ReturnType<typeof flatten>; features: readonly string[]; target: string } | { ok: false; message: string };

function reference(text: string, opts: CsvStreamOptions): Outcome {
  try {
    const ds = parseCsv(text, { file: 'f.csv', ...opts });
    return { ok: true, g: flatten(ds), features: ds.features, target: ds.target };
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    return { ok: false, message: e.message };
  }
}

async function streamed(bytes: Uint8Array, cuts: number[], opts: CsvStreamOptions, maxRows: number): Promise<Outcome> {
  try {
    const src = await csvSourceFromStream('f.csv', pieces(bytes, cuts), opts);
    const g = await gather(src, { maxRows });
    return { ok: true, g, features: src.features, target: src.target };
  } catch (e) {
    if (!(e instanceof DataError)) throw new Error(`not a DataError: ${(e as Error).stack}`);
    return { ok: false, message: e.message };
  }
}

/** Fails with the input when the two outcomes differ in any value or message. */
function same(a: Outcome, b: Outcome, text: string): void {
  const where = `input ${JSON.stringify(text)}`;
  if (!a.ok || !b.ok) {
    expect(b.ok ? 'read' : b.message, where).toBe(a.ok ? 'read' : a.message);
    return;
  }
  expect([b.features, b.target], where).toEqual([a.features, a.target]);
  expect(b.g.rows, where).toBe(a.g.rows);
  expect(firstDiff(b.g.x, a.g.x), where).toBe(-1);
  expect(firstDiff(b.g.y, a.g.y), where).toBe(-1);
}

function randomCuts(rng: Rng, n: number): number[] {
  const k = pick(rng, [0, 1, 2, 5, 20]);
  return Array.from({ length: k }, () => rng.int(n + 1));
}

describe('streaming CSV vs parseCsv', () => {
  it('reads 400 random valid CSVs identically, cut into random chunks', async () => {
    const rng = new Rng(2024);
    for (let k = 0; k < 400; k++) {
      const { text, opts } = randomCsv(rng);
      const ref = reference(text, opts);
      expect(ref.ok, `reference rejected a generated CSV: ${JSON.stringify(text)} ${ref.ok ? '' : ref.message}`).toBe(true);
      const bytes = enc.encode(text);
      same(ref, await streamed(bytes, randomCuts(rng, bytes.length), opts, 1 + rng.int(8)), text);
    }
  });

  it('reads one small file identically when cut at every byte position and into single bytes', async () => {
    const text = '\uFEFF"a";b;c;y\r\n1;"2.5";x;-3e1\r\n\r\n 4 ;.5;"p;q";6\n7;8;;9';
    const bytes = enc.encode(text);
    const opts = { target: 'y', features: ['b', 'a'] };
    const ref = reference(text, opts);
    expect(ref.ok && ref.g.y).toEqual([-30, 6, 9]);
    for (let cut = 0; cut <= bytes.length; cut++) same(ref, await streamed(bytes, [cut], opts, 2), `${text} cut at ${cut}`);
    same(ref, await streamed(bytes, Array.from({ length: bytes.length }, (_, i) => i), opts, 1), `${text} in single bytes`);
  });

  it('gives the reference outcome for 1500 random corruptions (same values or the same DataError)', async () => {
    const rng = new Rng(7);
    const junk = ['"', '""', ',', ';', '\t', '\n', '\r', '\r\n', ' ', 'e', '.', '-', '+', 'x', '\uFEFF', 'é', '\u00a0', '\0', '1e40', '9'];
    let failures = 0;
    for (let k = 0; k < 1500; k++) {
      const gen = randomCsv(rng);
      let text = gen.text;
      const opts = rng.int(2) === 0 ? gen.opts : { target: String(rng.int(3)) };
      for (let m = 1 + rng.int(3); m > 0; m--) {
        const i = rng.int(text.length + 1);
        const kind = rng.int(3);
        const ins = kind === 1 ? '' : pick(rng, junk);
        text = text.slice(0, i) + ins + text.slice(i + (kind === 0 ? 0 : 1));
      }
      const ref = reference(text, opts);
      if (!ref.ok) failures++;
      const bytes = enc.encode(text);
      same(ref, await streamed(bytes, randomCuts(rng, bytes.length), opts, 1 + rng.int(8)), text);
    }
    // The corruptions must actually break most files, or this test would prove little.
    expect(failures).toBeGreaterThan(600);
  });
});
