// Tests for the columns panel's rules (src/web/data/columns.ts) and the loss checks (src/web/form/loss_fit.ts),
// without a browser: default choices and target, the reader's options the choices make (one-hot indicators with
// the first level as reference, hashing and too many levels left out with why, blanks skipped or filled with means,
// decimal commas), when a first pass over every row is needed, and which loss a target needs.
import { describe, expect, it } from 'vitest';
import { profileCsv } from '../../../src/data/csv_profile';
import { defaultChoices, defaultTarget, ONE_HOT_MAX, tablePlan, targetInfo, typeText } from '../../../src/web/data/columns';
import { fittingLoss, startProblem } from '../../../src/web/form/loss_fit';

const text = ['id,city,rooms,flag,y', ...Array.from({ length: 40 }, (_, i) => `${i + 1},${['a', 'b', 'c'][i % 3]},${i % 5 === 0 ? '' : i % 7},1,${(i * 3) % 17}`)].join('\n');
const p = profileCsv('t.csv', text, true);

describe('the columns panel', () => {
  it('leaves out ids and constants by default, and picks the last number or text column as the target', () => {
    const c = defaultChoices(p);
    expect(Object.fromEntries(Object.entries(c.columns).map(([k, v]) => [k, v.use]))).toEqual({ id: false, city: true, rooms: true, flag: false, y: true });
    expect(c.missing).toBe('skip');
    expect(defaultTarget(p)).toBe('y');
    expect(defaultTarget(profileCsv('t.csv', 'a,b,id\n1,2,1\n3,4,2\n5,6,3\n', true))).toBe('b');
    expect(p.columns.map(typeText)).toEqual(['identifier', 'text, 3 levels', 'number, 8 blank', 'constant', 'number']);
  });

  it('makes the reader\'s options: one-hot with the first level as reference, blanks skipped or filled with means', () => {
    const c = defaultChoices(p);
    const plan = tablePlan(p, 'y', c);
    expect(plan).toMatchObject({ features: ['city=b', 'city=c', 'rooms'], missing: 'skip', decimalComma: false, needsPass: false });
    expect(plan.left.map((l) => l.name)).toEqual(['id', 'flag']);
    c.missing = 'mean';
    const rooms = p.columns[2];
    expect(tablePlan(p, 'y', c)).toMatchObject({ missing: 'fill', fill: { rooms: rooms.mean } });
    c.columns.city.encoding = 'hashing';
    const hashed = tablePlan(p, 'y', c);
    expect(hashed.features).toEqual(['rooms']);
    expect(hashed.left.find((l) => l.name === 'city')?.why).toMatch(/hashing is not offered on the page yet \(the CLI.s --hashed does it\)/);
    c.columns.id.use = true; // an id that is a number is read as one when the user asks
    expect(tablePlan(p, 'y', c).features).toEqual(['id', 'rooms']);
    expect(tablePlan(p, 'y', c, 'text: not read here').left.find((l) => l.name === 'city')?.why).toBe('text: not read here');
  });

  it('leaves out a text column with too many levels, and asks for every row when the profile is of the first ones', () => {
    const many = profileCsv('t.csv', ['k,y', ...Array.from({ length: 120 }, (_, i) => `k${i % (ONE_HOT_MAX + 5)},${i}`)].join('\n'), true);
    const plan = tablePlan(many, 'y', defaultChoices(many));
    expect(plan.features).toEqual([]);
    expect(plan.left[0].why).toMatch(/55 levels: more than the 50 one-hot reads here/);
    const partial = profileCsv('t.csv', text, false);
    expect(tablePlan(partial, 'y', defaultChoices(partial)).needsPass).toBe(true);
    expect(tablePlan(partial, 'y', { ...defaultChoices(partial), columns: { ...defaultChoices(partial).columns, city: { use: false, encoding: 'one-hot' } } }).needsPass).toBe(false);
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
});
