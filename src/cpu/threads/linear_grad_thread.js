// Worker-thread twin of src/cpu/linear_grad.ts (loaded as text and run with worker_threads' eval, so it has no
// imports): waits on a shared control word, then sums dL/dŷ·x', dL/dŷ, loss and metric sums in f64 over its
// share of each piece of the current step, reading rows through the same keyed permutation (core/permute.ts).
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { id, threads, d, ctl, params, pieces, results, port } = workerData;
const slots = new Map(); // `${store}:${slot}` → rows in shared memory

function mix32(v) {
  let h = v >>> 0;
  h ^= h >>> 16; h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15; h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

function permute(i, n, key, half) {
  const mask = (2 ** half - 1) >>> 0;
  let v = i >>> 0;
  for (;;) {
    let l = v >>> half;
    let r = (v & mask) >>> 0;
    for (let round = 0; round < 4; round++) {
      const t = r;
      r = (l ^ (mix32((r ^ ((key + Math.imul(round, 0x9e3779b9)) >>> 0)) >>> 0) & mask)) >>> 0;
      l = t;
    }
    v = (l * 2 ** half + r) >>> 0;
    if (v < n) return v;
  }
}

function halfBits(n) {
  let bits = 2;
  while (bits < 32 && 2 ** bits < n) bits += 2;
  return bits / 2;
}

function drain() {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const { store, slot, x, y, rows } = m.message;
    slots.set(`${store}:${slot}`, { x: new Float32Array(x), y: new Float32Array(y), rows });
  }
}

function run() {
  const out = new Float64Array(results.buffer, results.byteOffset + id * (d + 6) * 8, d + 6);
  out.fill(0);
  // params: weights (d), bias, y shift, standardize flag, means (d), inverse std devs (d)
  const w = params;
  const norm = params[d + 2] === 1;
  const mean = params.subarray(d + 3, 2 * d + 3);
  const invStd = params.subarray(2 * d + 3, 3 * d + 3);
  const xs = new Float64Array(d);
  const withGrad = ctl[2] === 1;
  const yShift = params[d + 1];
  for (let p = 0; p < ctl[3]; p++) {
    const [store, slot, start, count, key, shuffle] = pieces.subarray(p * 6, p * 6 + 6);
    const s = slots.get(`${store}:${slot}`);
    const half = halfBits(s.rows);
    const lo = start + Math.floor((count * id) / threads);
    const hi = start + Math.floor((count * (id + 1)) / threads);
    for (let i = lo; i < hi; i++) {
      const row = shuffle ? permute(i, s.rows, key >>> 0, half) : i;
      const off = row * d;
      let pred = w[d];
      for (let j = 0; j < d; j++) {
        xs[j] = norm ? (s.x[off + j] - mean[j]) * invStd[j] : s.x[off + j];
        pred += xs[j] * w[j];
      }
      const t = s.y[row];
      const e = pred - t;
      const g = 2 * e;
      if (withGrad) {
        for (let j = 0; j < d; j++) out[j] += g * xs[j];
        out[d] += g;
      }
      out[d + 1] += e * e;
      out[d + 2] += Math.abs(e);
      out[d + 3] += t - yShift;
      out[d + 4] += (t - yShift) * (t - yShift);
      out[d + 5] += 1;
    }
  }
}

// ctl: [0] command sequence, [1] threads done, [2] with gradient, [3] pieces, [4] stop
let seen = 0;
for (;;) {
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  if (ctl[4] === 1) break;
  drain();
  run();
  Atomics.add(ctl, 1, 1);
  Atomics.notify(ctl, 1);
}
