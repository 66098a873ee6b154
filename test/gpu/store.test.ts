// The GPU store's upload through the mapped staging ring (src/gpu/store.ts): more chunks loaded at once than the ring
// has buffers each land whole in their own slot (each use of a staging buffer waits for the previous one) — checked by
// evaluating a random model over every slot against the same sums on the CPU; the same through queue.writeBuffer.
import { describe, expect, it } from 'vitest';
import { modelSpec } from '../../src/core/model';
import { Rng } from '../../src/core/rng';
import { WebGpuBackend } from '../../src/gpu/backend';
import { useGpu } from '../helpers/gpu';

const gpu = useGpu();

describe.each(['staging', 'writeBuffer'] as const)('uploads through %s', (upload) => {
  it('loads 12 chunks concurrently into 12 slots, each intact', async () => {
    const backend = WebGpuBackend.createSync(gpu(), { upload });
    const d = 5;
    const rows = 300;
    const rng = new Rng(77);
    const chunks = Array.from({ length: 12 }, () => ({ rows, x: rng.uniformArray(rows * d), y: rng.uniformArray(rows) }));
    const p = { weights: Float64Array.from(rng.uniformArray(d)), bias: Float64Array.of(0.25) };
    let want = 0;
    for (const c of chunks) {
      for (let r = 0; r < rows; r++) {
        let z = p.bias[0];
        for (let j = 0; j < d; j++) z += c.x[r * d + j] * p.weights[j];
        want += (z - c.y[r]) ** 2;
      }
    }
    const store = backend.createStore(d, rows);
    try {
      await Promise.all(chunks.map((c, slot) => store.load(slot, c)));
      const session = await backend.createSession(store, modelSpec({ d }), p);
      const sums = await session.evaluate();
      session.dispose();
      expect(sums.rows).toBe(12 * rows);
      expect(Math.abs(sums.loss - want) / want).toBeLessThan(1e-5);
    } finally {
      store.dispose();
      backend.dispose();
    }
  });
});
