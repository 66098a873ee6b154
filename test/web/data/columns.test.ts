// Tests for the columns panel's rules (src/web/data/columns.ts) and the loss checks (src/web/form/loss_fit.ts),
// without a browser: default choices and target, the reader's options the choices make (one-hot indicators with
// the first level as reference, hashed columns beside them with their hash bits checked, too many levels for one-hot
// hashed by default or left out with why, blanks skipped or filled with means, decimal commas), when a first pass
// over every row is needed, a Parquet file's text columns under the same rules (read as the CSV reader reads them),
// which loss a target needs, and what hashed columns cannot train with.
import { describe, expect, it } from 'vitest';
import { profileCsv } from '../../../src/data/csv_profile';
import { blobAsyncBuffer } from '../../../src/data/parquet';
import type { DataSource } from '../../../src/data/source';
import { denseOf } from '../../../src/core/csr';
import { loadFile, parquetProfile, previewFile } from '../../../src/web/data/files';
import { ordersCsv, ordersParquet } from '../../helpers/orders';
import { defaultChoices, defaultTarget, ONE_HOT_MAX, tablePlan, targetInfo, typeText } from '../../../src/web/data/columns';
import { parseTrainSpec } from '../../../src/core/spec';
import { fittingLoss, hashingProblem, startProblem } from '../../../src/web/form/loss_fit';

const text = ['id,city,rooms,flag,y', ...Array.from({ length: 40 }, (_, i) => `${i + 1},${['a', 'b', 'c'][i % 3]},${i % 5 === 0 ? '' : i % 7},1,${(i * 3) % 17}`)].join('\n');
const p = profileCsv('t.csv', text, true);

describe('the columns panel', () => {
  it('leaves out ids and constants by default, and picks the last number or text column as the target', () => {
    const c = defaultChoices(p);
    expect(Object.fromEntries(Object.entries(c.columns).map(([k, v]) => [k, v.use]))).toEqual({ id: false, city: true, rooms: true, flag: false, y: true });
    expect(c.missing).toBe('skip');
    expect(c.hashBits).toBe('18'); // the CLI's --hash-bits default
    expect(c.columns.city.encoding).toBe('one-hot');
    expect(defaultTarget(p)).toBe('y');
    expect(defaultTarget(profileCsv('t.csv', 'a,b,id\n1,2,1\n3,4,2\n5,6,3\n', true))).toBe('b');
    expect(p.columns.map(typeText)).toEqual(['identifier', 'text, 3 levels', 'number, 8 blank', 'constant', 'number']);
  });

  it('makes the reader\'s options: one-hot with the first level as reference, blanks skipped or filled with means', () => {
    const c = defaultChoices(p);
    const plan = tablePlan(p, 'y', c);
    expect(plan).toMatchObject({ features: ['city=b', 'city=c', 'rooms'], missing: 'skip', decimalComma: false, needsPass: false, hashProblem: null });
    expect(plan.hashed).toBeUndefined();
    expect(plan.left.map((l) => l.name)).toEqual(['id', 'flag']);
    c.missing = 'mean';
    const rooms = p.columns[2];
    expect(tablePlan(p, 'y', c)).toMatchObject({ missing: 'fill', fill: { rooms: rooms.mean } });
    c.columns.city.encoding = 'hashing';
    const hashed = tablePlan(p, 'y', c);
    expect(hashed).toMatchObject({ features: ['rooms'], hashed: ['city'], hashBits: 18, hashProblem: null });
    expect(hashed.left.map((l) => l.name)).toEqual(['id', 'flag']);
    // The hash bits as typed, checked by the CLI's --hash-bits rules; a bad value is the plan's problem, not a guess.
    for (const bad of ['0', '31', '2.5', 'x', '']) {
      expect(tablePlan(p, 'y', { ...c, hashBits: bad }).hashProblem, bad).toMatch(/^Hash bits must be an integer in \[1, 30\]/);
    }
    expect(tablePlan(p, 'y', { ...c, hashBits: ' 12 ' })).toMatchObject({ hashBits: 12, hashProblem: null });
    c.columns.city.use = false;
    expect(tablePlan(p, 'y', { ...c, hashBits: '99' })).toMatchObject({ hashProblem: null }); // nothing hashed: the bits do not matter
    c.columns.city.use = true;
    c.columns.id.use = true; // an id that is a number is read as one when the user asks
    expect(tablePlan(p, 'y', c).features).toEqual(['id', 'rooms']);
  });

  it('hashes a text column with too many levels for one-hot, and asks for every row when the profile is of the first ones', () => {
    const many = profileCsv('t.csv', ['k,y', ...Array.from({ length: 120 }, (_, i) => `k${i % (ONE_HOT_MAX + 5)},${i}`)].join('\n'), true);
    const choices = defaultChoices(many);
    expect(choices.columns.k.encoding).toBe('hashing');
    expect(tablePlan(many, 'y', choices)).toMatchObject({ features: [], hashed: ['k'], hashBits: 18, left: [], needsPass: false });
    choices.columns.k.encoding = 'one-hot';
    const plan = tablePlan(many, 'y', choices);
    expect(plan.features).toEqual([]);
    expect(plan.left[0].why).toBe('55 levels: more than the 50 one-hot reads here: left out; choose hashing');
    const partial = profileCsv('t.csv', text, false);
    expect(tablePlan(partial, 'y', defaultChoices(partial)).needsPass).toBe(true);
    expect(tablePlan(partial, 'y', { ...defaultChoices(partial), columns: { ...defaultChoices(partial).columns, city: { use: false, encoding: 'one-hot' } } }).needsPass).toBe(false);
  });
});

/** Every row of a source: its dense values, targets and (dense) sparse block. */
async function rowsOf(src: DataSource) {
  const out = { rows: 0, x: [] as number[], y: [] as number[], s: [] as number[] };
  for await (const c of src.read({ maxRows: 256 })) {
    out.rows += c.rows;
    out.x.push(...c.x);
    out.y.push(...c.y);
    if (c.sparse) out.s.push(...denseOf(c.sparse, src.sparse!.width));
  }
  return out;
}

describe('the columns panel on a Parquet file', () => {
  it('offers its text columns as a CSV\'s: levels from its first rows, one-hot or hashed, every row read for one-hot levels', async () => {
    const file = new File([ordersParquet(1500)], 'orders.parquet');
    const pre = await previewFile(file);
    expect(pre).toMatchObject({ format: 'parquet', columns: ['amount', 'region', 'shop', 'returned'], rows: 1500, profile: { complete: false, rows: 1000 } });
    expect(pre.profile.columns.map(typeText)).toEqual(['number', 'text, 3 levels', 'text, 300 levels', 'text, 2 levels']);
    expect(defaultTarget(pre.profile)).toBe('returned');
    expect(targetInfo(pre.profile, 'returned')).toEqual({ text: true, classes: 2 });
    const choices = defaultChoices(pre.profile);
    expect([choices.columns.region.encoding, choices.columns.shop.encoding]).toEqual(['one-hot', 'hashing']);
    const plan = tablePlan(pre.profile, 'returned', { ...choices, hashBits: '12' });
    expect(plan).toMatchObject({ features: ['amount', 'region=west', 'region=north'], hashed: ['shop'], hashBits: 12, left: [], needsPass: true, hashProblem: null });
    // Every row's profile (the first pass): the same levels in file order, and no further pass asked for.
    let read = 0;
    const full = await parquetProfile('orders.parquet', blobAsyncBuffer(file), { onRows: (n) => (read = n) });
    expect(read).toBe(1500);
    expect(full).toMatchObject({ complete: true, rows: 1500 });
    expect(full.columns[1].levels).toEqual(pre.profile.columns[1].levels);
    expect(tablePlan(full, 'returned', { ...choices, hashBits: '12' })).toMatchObject({ features: ['amount', 'region=west', 'region=north'], needsPass: false });
    // One-hot asked of the 300-level column: left out with why, as for a CSV; hash bits checked by the same rules.
    const oneHot = tablePlan(full, 'returned', { ...choices, columns: { ...choices.columns, shop: { use: true, encoding: 'one-hot' } } });
    expect(oneHot.left).toEqual([{ name: 'shop', why: '300 levels: more than the 50 one-hot reads here: left out; choose hashing' }]);
    expect(tablePlan(full, 'returned', { ...choices, hashBits: '31' }).hashProblem).toMatch(/^Hash bits must be an integer in \[1, 30\]/);
  });

  it('reads the plan\'s features: "column=level" indicators as the CSV reader does, and hashed columns as a sparse block', async () => {
    const text = ordersCsv(700);
    const pq = new File([ordersParquet(700, 300)], 'orders.parquet');
    const plan = tablePlan(profileCsv('orders.csv', text, true), 'returned', { ...defaultChoices(profileCsv('orders.csv', text, true)), hashBits: '8' });
    for (const table of [{ ...plan, hashed: undefined, hashBits: undefined }, plan]) {
      const a = await loadFile(pq, 'returned', true, table);
      const b = await loadFile(new File([text], 'orders.csv'), 'returned', true, table);
      expect(a.features).toEqual(['amount', 'region=west', 'region=north']);
      const [ra, rb] = [await rowsOf(a), await rowsOf(b)];
      expect(ra.rows).toBe(700);
      expect(ra.x).toEqual(rb.x);
      expect(ra.y.map((k) => a.targetLabels![k])).toEqual(rb.y.map((k) => b.targetLabels![k]));
      expect(a.sparse?.width).toBe(table.hashed ? 256 : undefined);
      expect(ra.s).toEqual(rb.s);
    }
  });
});

describe('losses that fit the target', () => {
  it('switches a loss that cannot fit a new file\'s target, and keeps one that can', () => {
    expect(fittingLoss('squared', { text: true, classes: 2 })).toBe('logistic');
    expect(fittingLoss('squared', { text: true, classes: 3 })).toBe('softmax');
    expect(fittingLoss('logistic', { text: true, classes: 3 })).toBe('softmax');
    expect(fittingLoss('logistic', { text: true, classes: 2 })).toBeNull();
    expect(fittingLoss('softmax', { text: false, classes: 300 })).toBe('squared');
    expect(fittingLoss('softmax', { text: false, classes: 4 })).toBeNull();
    expect(fittingLoss('hinge', { text: false, classes: 7 })).toBe('squared');
    expect(fittingLoss('huber', { text: false, classes: null })).toBeNull();
    expect(targetInfo(p, 'city')).toEqual({ text: true, classes: 3 });
  });

  it('names what Start cannot train before it is pressed', () => {
    expect(startProblem('logistic', { classes: ['a', 'b', 'c'] })).toMatch(/separates two classes, and the target has 3: choose a multiclass loss/);
    expect(startProblem('logistic', { target: { text: true, classes: 3 } })).toMatch(/the target has 3/);
    expect(startProblem('squared', { target: { text: true, classes: 3 } })).toMatch(/the target holds text \(3 classes\): choose a classification loss/);
    expect(startProblem('softmax', { classes: ['a', 'b', 'c'] })).toBeNull();
    expect(startProblem('squared', { target: { text: false, classes: null } })).toBeNull();
  });

  it('refuses what hashed columns (a sparse block) cannot train with, as the engine would', () => {
    const spec = (o: Record<string, unknown>) => parseTrainSpec(o, { strict: false });
    const h = (columns: string[], bits = 18, outputs = 1) => ({ columns, bits, outputs, budget: 2 ** 30 });
    expect(hashingProblem(spec({ solver: 'exact' }), h(['user']))).toBe(
      'the exact solver needs dense columns, and a hashed text column (user) trains by gradient descent or L-BFGS only: choose the gd or lbfgs solver, or one-hot');
    expect(hashingProblem(spec({ solver: 'newton' }), h(['a', 'b']))).toMatch(/^the newton solver needs dense columns, and hashed text columns \(a, b\) train by/);
    expect(hashingProblem(spec({ solver: 'lbfgs' }), h(['a', 'b']))).toBeNull();
    expect(hashingProblem(spec({ precondition: true }), h(['user']))).toMatch(/^“Precondition \(Gram \/ Newton\)” needs dense columns.*turn it off, or choose one-hot$/);
    expect(hashingProblem(spec({ gap: true }), h(['user']))).toMatch(/^“Report the optimality gap” needs dense columns/);
    expect(hashingProblem(spec({ solver: 'exact' }), h([]))).toBeNull();
    expect(hashingProblem(spec({ optimizer: 'adam', penalty: 'l1', alpha: 0.1 }), h(['user']))).toBeNull();
    // The buckets and their optimizer state must fit the page's memory for a model (sparseModelBytes, as the engine counts).
    expect(hashingProblem(spec({}), h(['user'], 24))).toBeNull();
    expect(hashingProblem(spec({}), h(['user'], 30))).toBe(
      '2^30 hash buckets keep about 28,672 MiB in memory (weights and optimizer state), more than the page gives a model (1,024 MiB): use 25 hash bits or fewer');
    expect(hashingProblem(spec({ optimizer: 'adam' }), h(['user'], 24, 5))).toMatch(/^2\^24 hash buckets .* for 5 outputs.*use 22 hash bits or fewer$/);
  });
});
