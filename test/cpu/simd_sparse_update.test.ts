// Parity: the fast CPU backend's sparse block (src/cpu/simd_sparse_update.ts + simd/sparse_update.ts: the scatter of
// dL/dz·val in f64 and the update of the touched columns in WebAssembly) against its oracle, the host update of
// core/sparse_session.ts (f64 sums, updateWeight per touched column, each first brought up to date through the
// DecayTable), for every rule the kernels run — SGD under each penalty, AdaGrad without and with L1, FTRL — over many
// steps in which most columns go untouched for long stretches, at awkward widths, K = 1 and 3, ±1 indicators and
// valued entries, the rows in CSR and in row records. Both sides are f64 with the same operations in the same order:
// the tolerance is rounding only.
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { CsrBuilder, INDEX_MASK, NEG } from '../../src/core/csr';
import { modelSpec, type ModelSpec } from '../../src/core/model';
import { OPTIMIZERS, type OptimizerKind } from '../../src/core/optim';
import { stepContexts, updateWeight } from '../../src/core/optim/apply';
import { decayTable } from '../../src/core/optim/lazy';
import type { PenaltyKind } from '../../src/core/penalties';
import { Rng } from '../../src/core/rng';
import { CsrSlots } from '../../src/cpu/simd_sparse_store';
import { kernelRule, SparseBlock } from '../../src/cpu/simd_sparse_update';
import { fastCpu, reference, useBackends } from '../helpers/matrix';
import { sparseAndDense } from '../helpers/sparse';
import type { Step } from '../../src/core/schedule';

const CASES: [OptimizerKind, PenaltyKind][] = [
  ['sgd', 'none'], ['sgd', 'l2'], ['sgd', 'l1'], ['sgd', 'elasticnet'], ['adagrad', 'none'], ['adagrad', 'l1'], ['ftrl', 'l1'], ['ftrl', 'elasticnet'],
];

interface Shape {
  width: number;
  k: number;
  valued: boolean;
}

/** `records`: the step's rows as row records (a store's layout for rows of about as many entries each) instead of CSR. */
function check(optimizer: OptimizerKind, penalty: PenaltyKind, shape: Shape, seed: number, linear = false, records = false): void {
  const { width, k, valued } = shape;
  const rng = new Rng(seed);
  const spec: ModelSpec = modelSpec({
    d: width, outputs: k, loss: k > 1 ? 'softmax' : 'squared', optimizer, penalty, penaltyParams: { alpha: 0.05, l1Ratio: 0.5 }, sparse: { dense: 0, width },
    // A clip bound (never reached: the scale is given) keeps SGD on the sums and the update pass.
    clipNorm: linear ? 0 : 1e9,
  });
  expect(kernelRule(spec)).toBe(true);
  const S = OPTIMIZERS[optimizer].slots;
  const arena = fastCpu(useBackends(['cpu (1 thread)'])[0]).arena;
  const block = new SparseBlock(arena, spec, width, k, S);
  expect(block.linear).toBe(linear);
  const csr = new CsrSlots(arena);
  // Host oracle: f64 weights and slots, the decay table and each column's last step.
  const w = Float64Array.from({ length: k * width }, () => rng.float() * 2 - 1);
  const slots = Float64Array.from({ length: k * (width + 1) * S }, () => (optimizer === 'ftrl' ? rng.float() : rng.float() + 0.1));
  block.fromHost(w, width, 0, slots);
  block.reset(0);
  const table = decayTable(spec);
  table?.reset(0);
  const last = new Int32Array(width);
  const steps = 40;
  for (let t = 1; t <= steps; t++) {
    // A step of 1–6 rows of 1–4 entries, mostly in a few low columns (others wait many steps), repeats allowed.
    const rows = 1 + Math.floor(rng.float() * 6);
    const b = new CsrBuilder(valued, rows, rows * 4);
    for (let r = 0; r < rows; r++) {
      for (let e = 1 + Math.floor(rng.float() * 4); e > 0; e--) {
        const j = Math.min(width - 1, Math.floor(width * rng.float() ** 2));
        if (valued) b.push(j, rng.float() * 2 - 1);
        else b.push(rng.float() < 0.5 ? (j | NEG) >>> 0 : j);
      }
      b.endRow();
    }
    const c = b.take();
    // Records of 5 entries (a row holds up to 4), 8 bytes of dense row before each count, as a store's.
    const rs = 8 + 4 + 5 * 4 * (valued ? 2 : 1);
    const recs = records ? arena.alloc(rows * rs) : 0;
    if (records) csr.loadRecords(0, c, rows, recs + 8, rs, 5);
    else csr.load(0, c, rows);
    expect(csr.slots[0]!.rs).toBe(records ? rs : 0);
    const g = Float32Array.from({ length: rows * k }, () => rng.float() * 2 - 1);
    const [gAt, rowsAt] = [arena.alloc(g.length * 4), arena.alloc(rows * 4)];
    arena.views.f32.set(g, gAt / 4);
    arena.views.u32.set(Uint32Array.from({ length: rows }, (_, r) => r), rowsAt / 4);
    const lr = 0.3 / Math.sqrt(t);
    const scale = 1 / rows;
    if (linear) {
      block.open(t);
      block.stepSgd(lr, lr * scale, gAt, rowsAt, rows, csr.slots[0]!);
      expect(block.endStep(lr)).toBe(false);
    } else {
      block.open(t);
      block.scatter(gAt, rowsAt, rows, csr.slots[0]!);
      expect(block.update(lr, scale)).toBe(false);
    }
    arena.release(gAt);
    arena.release(rowsAt);
    if (recs) arena.release(recs);
    // The oracle, as sparse_session.ts's apply.
    const sums = new Map<number, Float64Array>();
    for (let r = 0; r < rows; r++) {
      for (let e = c.ptr[r]; e < c.ptr[r + 1]; e++) {
        const i = c.idx[e];
        const j = valued ? i : i & INDEX_MASK;
        const v = valued ? c.val![e] : i & NEG ? -1 : 1;
        const s = sums.get(j) ?? new Float64Array(k);
        for (let o = 0; o < k; o++) s[o] += g[r * k + o] * v;
        sums.set(j, s);
      }
    }
    table?.push(lr);
    const ctx = stepContexts({ lr, t, average: 0 }, spec);
    for (const [j, s] of sums) {
      for (let o = 0; o < k; o++) {
        const i = o * width + j;
        const at = table ? table.catchUp(w[i], last[j], t - 1) : w[i];
        w[i] = updateWeight(at, s[o] * scale, slots, i, ctx.weight, spec);
      }
      last[j] = t;
    }
  }
  if (table) for (let j = 0; j < width; j++) for (let o = 0; o < k; o++) w[o * width + j] = table.catchUp(w[o * width + j], last[j], steps);
  block.catchUpAll(steps);
  const got = new Float64Array(k * width);
  const gotSlots = new Float64Array(slots.length);
  block.toHost(got, width, 0, gotSlots);
  block.dispose();
  csr.dispose();
  const r = allclose(got, w, 1e-12, 1e-10);
  expect(r.ok, `weights: ${r.message}`).toBe(true);
  const rs = allclose(gotSlots.subarray(0, k * width * S), slots.subarray(0, k * width * S), 1e-12, 1e-10);
  expect(rs.ok, `slots: ${rs.message}`).toBe(true);
}

describe('the fast CPU backend\'s sparse update equals the host rule', () => {
  it.each(CASES)('%s under %s', (optimizer, penalty) => {
    const shapes: Shape[] = [
      { width: 1, k: 1, valued: false }, { width: 3, k: 1, valued: true }, { width: 63, k: 3, valued: false }, { width: 65, k: 1, valued: true },
      { width: 1000, k: 1, valued: false },
    ];
    shapes.forEach((s, i) => check(optimizer, penalty, s, 17 + i));
    shapes.forEach((s, i) => check(optimizer, penalty, s, 17 + i, false, true));
  });

  it('SGD\'s linear step without L1 (one read-modify-write per entry) equals the host rule too', () => {
    const b = new SparseBlock(fastCpu(useBackends(['cpu (1 thread)'])[0]).arena, modelSpec({ d: 4, sparse: { dense: 0, width: 4 } }), 4, 1, 0);
    expect(b.linear).toBe(true);
    b.dispose();
    const shapes = [{ width: 1, k: 1, valued: false }, { width: 65, k: 3, valued: true }, { width: 1000, k: 1, valued: false }, { width: 63, k: 1, valued: true }];
    for (const penalty of ['none', 'l2'] as const) shapes.forEach((sh, i) => check('sgd', penalty, sh, 5 + i, true));
    for (const penalty of ['none', 'l2'] as const) shapes.forEach((sh, i) => check('sgd', penalty, sh, 5 + i, true, true));
  });

  it('leaves the rules it cannot run (momentum, Adam, L2 under AdaGrad…) to the host', () => {
    const spec = (optimizer: OptimizerKind, penalty: PenaltyKind) => modelSpec({ d: 8, optimizer, penalty, penaltyParams: { alpha: 0.1 }, sparse: { dense: 0, width: 8 } });
    expect(kernelRule(spec('momentum', 'none'))).toBe(false);
    expect(kernelRule(spec('adam', 'l1'))).toBe(false);
    expect(kernelRule(spec('adagrad', 'l2'))).toBe(false);
    expect(kernelRule(spec('sgd', 'elasticnet'))).toBe(true);
  });
});

describe('the fast CPU backend\'s sparse session reads the same gradient as the reference after steps', () => {
  // gradient() sums for the host (the linear rule's sums records apart from its weights), after steps in the kernels.
  it.each([['sgd', 'none'], ['sgd', 'l2'], ['sgd', 'l1'], ['ftrl', 'l1']] as [OptimizerKind, PenaltyKind][])('%s under %s', async (optimizer, penalty) => {
    const { sparse } = sparseAndDense({ rows: 97, dense: 3, width: 41, perRow: 5, kind: 'signed', task: 'binary', seed: 9 });
    const chunk = sparse.chunks[0];
    const spec = modelSpec({ d: 3 + 41, loss: 'logistic', optimizer, penalty, penaltyParams: { alpha: 0.01 }, sparse: { dense: 3, width: 41 } });
    const step = (t: number, start: number, count: number): Step => ({ index: t, rows: count, lr: 0.1, pieces: [{ chunk: 0, start, count, key: 5, shuffle: true }], t, average: 0 });
    const grads = [];
    for (const b of [reference, fastCpu(useBackends(['cpu (1 thread)'])[0]), fastCpu(useBackends(['cpu (3 threads)'])[0])]) {
      const store = b.createStore(3, 97, true);
      await store.load(0, chunk);
      const session = await b.createSession(store, spec);
      session.runSteps([step(0, 0, 32), step(1, 32, 32), step(2, 64, 33)]);
      const g = await session.gradient(step(3, 0, 97));
      session.runSteps([step(4, 10, 40)]);
      grads.push({ g, after: await session.readModel() });
      session.dispose();
      store.dispose();
    }
    for (const { g, after } of grads.slice(1)) {
      const r = allclose([...g.weights, ...g.bias], [...grads[0].g.weights, ...grads[0].g.bias], 1e-5, 1e-4);
      expect(r.ok, `gradient: ${r.message}`).toBe(true);
      const w = allclose([...after.weights, ...after.bias], [...grads[0].after.weights, ...grads[0].after.bias], 1e-6, 1e-5);
      expect(w.ok, `weights: ${w.message}`).toBe(true);
    }
  });
});
