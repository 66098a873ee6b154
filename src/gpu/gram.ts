// Host wrapper of shaders/gram.wgsl: the Gram matrix ZᵀZ of a slot's rows, z = (x − shift, y − y_shift, 1), as
// per-workgroup f32 partials (each SPAN rows, batch sums added with Kahan's compensation) summed in f64 here, so the
// accumulated error does not grow with N. CPU twin: src/cpu/gram.ts. Output: W × W f64, W = 4·Z4, columns (features
// padded to DP4·4, y, 1, then zeros).
import type { GramPass as GramCapability } from '../backend';
import type { DType } from '../core/f16';
import { readBuffer } from './buffers';
import type { GpuContext } from './device';
import { computePipelineAsync } from './shaders';
import type { GpuStore } from './store';
import { defineParams } from './params';

/** How the Gram of D features maps onto 2 × 2 blocks of 4 × 4 tiles and workgroups. */
export interface GramLayout {
  d: number;
  dp4: number;
  /** vec4 columns of z: DP4 + 1 (features, then (y, 1, 0, 0)) rounded up to even. */
  z4: number;
  /** Blocks of the upper triangle: (Z4/2)·(Z4/2 + 1)/2; block k covers tiles 2A.., 2B.. of pairs[k] = (A, B). */
  blocks: number;
  pairs: Uint32Array;
  /** Blocks per workgroup, row lanes per block, invocations (BPW·LANES). */
  bpw: number;
  lanes: number;
  wg: number;
  /** Workgroups along y (block groups). */
  groupsY: number;
  /** Rows staged per batch. */
  rb: number;
}

/** The block layout for d features: up to 64 blocks per workgroup, and row lanes to fill ~64 invocations. */
export function gramLayout(d: number, target = 64, rb = 16): GramLayout {
  const dp4 = Math.ceil(d / 4);
  const z4 = 2 * Math.ceil((dp4 + 1) / 2);
  const pairs: number[] = [];
  for (let a = 0; a < z4 / 2; a++) for (let b = a; b < z4 / 2; b++) pairs.push(a, b);
  const blocks = pairs.length / 2;
  const bpw = Math.min(blocks, target);
  const lanes = Math.min(rb, Math.ceil(target / bpw));
  return { d, dp4, z4, blocks, pairs: Uint32Array.from(pairs), bpw, lanes, wg: bpw * lanes, groupsY: Math.ceil(blocks / bpw), rb };
}

/** The Params record of shaders/gram.wgsl. */
export const GRAM_PARAMS = defineParams('gram', [
  ['start', 'u32'], ['count', 'u32'], ['span', 'u32'], ['blocks', 'u32'], ['partial_base', 'u32'], ['y_shift', 'f32'], ['_pad0', 'u32'], ['_pad1', 'u32'],
]);

const { STORAGE, COPY_DST, COPY_SRC, UNIFORM } = { STORAGE: 0x80, COPY_DST: 0x8, COPY_SRC: 0x4, UNIFORM: 0x40 };

/** Rows per workgroup: bounded so the f32 batch sums stay short; more for wide D to bound the partials' bytes. */
export function gramSpan(layout: GramLayout, rows: number, maxPartialBytes = 64 * 2 ** 20): number {
  const perPartial = 8 * layout.blocks * 64 * layout.lanes;
  const groups = Math.max(1, Math.floor(maxPartialBytes / perPartial));
  return Math.max(4096, Math.ceil(rows / groups / layout.rb) * layout.rb);
}

/** The Gram pass on one device for D features. */
export class GramPass {
  private constructor(
    private readonly ctx: GpuContext, readonly layout: GramLayout, private readonly pipeline: GPUComputePipeline,
    private readonly bindLayout: GPUBindGroupLayout, private readonly pairs: GPUBuffer, private readonly shift: GPUBuffer, private readonly params: GPUBuffer,
    private readonly noWeights: GPUBuffer, readonly weighted: boolean,
  ) {}

  /**
   * The pass for D features stored as `dtype` (the store's: rows of DP4 vec4 words, f32 or packed halves); `weighted`:
   * each row scaled by a factor from a buffer (Newton's √(d²L/dz²), src/gpu/curvature.ts).
   */
  static async create(ctx: GpuContext, d: number, dtype: DType = 'f32', weighted = false): Promise<GramPass> {
    const layout = gramLayout(d);
    const { device } = ctx;
    const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
    const bindLayout = device.createBindGroupLayout({
      label: 'gram',
      entries: [entry(0, 'uniform'), entry(1, 'read-only-storage'), entry(2, 'read-only-storage'), entry(3, 'read-only-storage'), entry(4, 'read-only-storage'), entry(5, 'storage'),
        entry(6, 'read-only-storage')],
    });
    const pl = device.createPipelineLayout({ label: 'gram', bindGroupLayouts: [bindLayout] });
    const pipeline = await computePipelineAsync(device, 'gram', { dtype }, pl,
      { BPW: layout.bpw, LANES: layout.lanes, WG: layout.wg, DP4: layout.dp4, Z4: layout.z4, RB: layout.rb, WEIGHTED: weighted ? 1 : 0 });
    const pairs = device.createBuffer({ label: 'gram.pairs', size: layout.pairs.byteLength, usage: STORAGE | COPY_DST });
    device.queue.writeBuffer(pairs, 0, layout.pairs as Uint32Array<ArrayBuffer>);
    const shift = device.createBuffer({ label: 'gram.shift', size: layout.dp4 * 16, usage: STORAGE | COPY_DST });
    const params = device.createBuffer({ label: 'gram.params', size: GRAM_PARAMS.bytes, usage: UNIFORM | COPY_DST });
    const noWeights = device.createBuffer({ label: 'gram.weights', size: 16, usage: STORAGE });
    return new GramPass(ctx, layout, pipeline, bindLayout, pairs, shift, params, noWeights, weighted);
  }

  /** ZᵀZ (W × W, f64) of rows [start, start + count) of a slot's x (DP4 vec4s per row) and y buffers (rows scaled by `weights` when weighted). */
  async run(
    x: GPUBuffer, y: GPUBuffer, start: number, count: number, shift: ArrayLike<number>, yShift: number,
    o: { poison?: boolean; weights?: GPUBuffer } = {},
  ): Promise<Float64Array> {
    if (this.weighted !== !!o.weights) throw new Error(this.weighted ? 'a weighted Gram pass needs its row weights' : 'this Gram pass is not weighted');
    const { device } = this.ctx;
    const L = this.layout;
    const s = new Float32Array(L.dp4 * 4);
    for (let j = 0; j < L.d; j++) s[j] = shift[j];
    device.queue.writeBuffer(this.shift, 0, s);
    const span = gramSpan(L, count);
    const groups = Math.max(1, Math.ceil(count / span));
    device.queue.writeBuffer(this.params, 0, GRAM_PARAMS.pack({ start, count, span, blocks: L.blocks, partial_base: 0, y_shift: yShift }));
    const bytes = groups * L.lanes * 8 * L.blocks * 64;
    const partials = device.createBuffer({ label: 'gram.partials', size: bytes, usage: STORAGE | COPY_SRC, mappedAtCreation: !!o.poison });
    if (o.poison) {
      new Float32Array(partials.getMappedRange()).fill(NaN);
      partials.unmap();
    }
    try {
      const bind = device.createBindGroup({
        label: 'gram', layout: this.bindLayout,
        entries: [this.params, x, y, this.shift, this.pairs, partials, o.weights ?? this.noWeights].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const enc = device.createCommandEncoder({ label: 'gram' });
      const pass = enc.beginComputePass({ label: 'gram' });
      pass.setPipeline(this.pipeline);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(groups, L.groupsY);
      pass.end();
      device.queue.submit([enc.finish()]);
      return sumPartials(new Float32Array(await readBuffer(device, partials, 0, bytes)), L, groups * L.lanes);
    } finally {
      partials.destroy();
    }
  }

  dispose(): void {
    this.pairs.destroy();
    this.shift.destroy();
    this.params.destroy();
    this.noWeights.destroy();
  }
}

/** Σ over partials of (sum − compensation) per tile, in f64, as the full symmetric W × W matrix (W = 4·Z4). */
export function sumPartials(p: Float32Array, L: GramLayout, groups: number): Float64Array {
  const w = 4 * L.z4;
  const g = new Float64Array(w * w);
  const stride = 8 * L.blocks * 16;
  for (let k = 0; k < L.blocks; k++) {
    for (let q = 0; q < 4; q++) {
      const a = 2 * L.pairs[2 * k] + (q >> 1), b = 2 * L.pairs[2 * k + 1] + (q & 1);
      // A diagonal block's lower tile repeats the upper one transposed.
      if (a > b) continue;
      for (let e = 0; e < 16; e++) {
        let v = 0;
        for (let gi = 0; gi < groups; gi++) v += p[gi * stride + (4 * k + q) * 16 + e] - p[gi * stride + (4 * (L.blocks + k) + q) * 16 + e];
        // mat4x4 column c = za·zb[c]: element (r, c) is G[4a + r][4b + c].
        const c = e >> 2, r = e & 3;
        g[(4 * a + r) * w + 4 * b + c] = v;
        g[(4 * b + c) * w + 4 * a + r] = v;
      }
    }
  }
  return g;
}

/** Relative error of the f32 Gram's entries against √(G_ii·G_jj) (test/gpu/gram.test.ts measures 1e-7 to 3e-7). */
export const GRAM_REL_ERROR = 3e-7;

/** The backend's Gram capability on a store: the pass for its D and data type, entries as (x, y, 1). */
export async function gramPassOn(ctx: GpuContext, store: GpuStore): Promise<GramCapability> {
  const pass = await GramPass.create(ctx, store.d, store.dtype);
  const L = pass.layout;
  const w = 4 * L.z4;
  const cols = [...Array.from({ length: L.d }, (_, j) => j), 4 * L.dp4, 4 * L.dp4 + 1];
  return {
    relError: GRAM_REL_ERROR,
    async run(slot, rows, shift, yShift) {
      const g = await pass.run(store.slots[slot].x, store.slots[slot].y, 0, rows, shift, yShift);
      const p = cols.length;
      const out = new Float64Array(p * p);
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) out[i * p + j] = g[cols[i] * w + cols[j]];
      return out;
    },
    dispose: () => pass.dispose(),
  };
}
