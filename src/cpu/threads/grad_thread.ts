// A cpu-mt worker thread (bundled into a script by vite.plugins.ts `?thread`): waits on a shared control word,
// then runs the CPU reference's row kernel (../grad_rows.ts) over its share of each piece of the current command
// and writes its f64 sums to its own stripe of the session's shared results.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { confusionClasses } from '../../core/metrics';
import type { ModelSpec } from '../../core/model';
import { emptyGradSums, gradRows } from '../grad_rows';
import { CTL, PIECE_INTS, resultStride, type ThreadMessage } from './protocol';

const { id, threads, ctl, pieces, port } = workerData as {
  id: number; threads: number; ctl: Int32Array; pieces: Int32Array; port: MessagePort;
};
const slots = new Map<string, { x: Float32Array; y: Float32Array; rows: number }>();
const sessions = new Map<number, { spec: ModelSpec; params: Float64Array; results: Float64Array }>();

function drain(): void {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const msg = m.message as ThreadMessage;
    if (msg.type === 'slot') slots.set(`${msg.store}:${msg.slot}`, { x: new Float32Array(msg.x), y: new Float32Array(msg.y), rows: msg.rows });
    else if (msg.type === 'session') sessions.set(msg.session, { spec: msg.spec, params: new Float64Array(msg.params), results: new Float64Array(msg.results) });
    else sessions.delete(msg.session);
  }
}

function run(): void {
  const s = sessions.get(ctl[CTL.session]);
  if (!s) throw new Error(`cpu-mt thread ${id}: unknown session ${ctl[CTL.session]}`);
  const { spec, params } = s;
  const { d, outputs: k } = spec;
  const classes = confusionClasses(spec.loss, k);
  const p = { weights: params.subarray(0, k * d), bias: params.subarray(k * d, k * d + k) };
  const yShift = params[k * d + k];
  const withGrad = ctl[CTL.withGrad] === 1;
  const out = emptyGradSums(d, k, classes);
  for (let i = 0; i < ctl[CTL.pieces]; i++) {
    const [store, slot, start, count, key, shuffle] = pieces.subarray(i * PIECE_INTS, (i + 1) * PIECE_INTS);
    const rows = slots.get(`${store}:${slot}`);
    if (!rows) throw new Error(`cpu-mt thread ${id}: slot ${slot} of store ${store} was never loaded`);
    const lo = Math.floor((count * id) / threads);
    const hi = Math.floor((count * (id + 1)) / threads);
    gradRows(rows.x, rows.y, rows.rows, p, { start: start + lo, count: hi - lo, key: key >>> 0, shuffle: shuffle === 1 }, spec, yShift, withGrad, out);
  }
  const stride = resultStride(d, k, classes);
  const r = s.results.subarray(id * stride, (id + 1) * stride);
  r.set(out.grad, 0);
  r.set(out.gradBias, k * d);
  r[k * d + k] = out.loss;
  r.set(out.m, k * d + k + 1);
  r[k * d + k + 5] = out.rows;
  if (out.confusion) r.set(out.confusion, k * d + k + 6);
}

let seen = 0;
for (;;) {
  Atomics.wait(ctl, CTL.seq, seen);
  seen = Atomics.load(ctl, CTL.seq);
  if (ctl[CTL.stop] === 1) break;
  drain();
  try {
    run();
  } catch (e) {
    Atomics.store(ctl, CTL.failed, 1);
    console.error(`downhill cpu-mt: ${(e as Error).message}`);
  }
  Atomics.add(ctl, CTL.done, 1);
  Atomics.notify(ctl, CTL.done);
}
