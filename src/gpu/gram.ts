// Host wrapper of shaders/gram.wgsl: the Gram matrix ZᵀZ of a slot's rows, z = (x − shift, y − y_shift, 1), as
// per-workgroup f32 partials (each SPAN rows, batch sums added with Kahan's compensation) summed in f64 here, so the
// accumulated error does not grow with N. CPU twin: src/cpu/gram.ts. Output: W × W f64, W = 4·(DP4 + 1), columns
// (features padded to DP4·4, y, 1, 0, 0).
import { readBuffer } from './buffers';
import type { GpuContext } from './device';
import { computePipelineAsync } from './shaders';
import { uniformLayout } from './uniforms';

/** How the Gram of D features maps onto tiles and workgroups. */
export interface GramLayout {
  d: number;
  dp4: number;
  /** vec4 columns of z: DP4 + 1. */
  z4: number;
  /** Upper-triangle 4 × 4 tiles: Z4·(Z4 + 1)/2. */
  tiles: number;
  pairs: Uint32Array;
  wg: number;
  /** Tiles per invocation. */
  tpi: number;
  /** Workgroups along y (tile groups). */
  groupsY: number;
  /** Rows staged per batch. */
  rb: number;
}

/** The tile layout for d features (WG invocations of TPI tiles each per workgroup). */
export function gramLayout(d: number, wg = 64, tpi = 4, rb = 16): GramLayout {
  const dp4 = Math.ceil(d / 4);
  const z4 = dp4 + 1;
  const pairs: number[] = [];
  for (let a = 0; a < z4; a++) for (let b = a; b < z4; b++) pairs.push(a, b);
  const tiles = pairs.length / 2;
  const per = Math.min(tpi, Math.ceil(tiles / wg));
  return { d, dp4, z4, tiles, pairs: Uint32Array.from(pairs), wg, tpi: per, groupsY: Math.ceil(tiles / (per * wg)), rb };
}

/** The Params record of shaders/gram.wgsl. */
export const GRAM_PARAMS = uniformLayout([
  ['start', 'u32'], ['count', 'u32'], ['span', 'u32'], ['tiles', 'u32'], ['partial_base', 'u32'], ['y_shift', 'f32'], ['_pad0', 'u32'], ['_pad1', 'u32'],
]);

const { STORAGE, COPY_DST, COPY_SRC, UNIFORM } = { STORAGE: 0x80, COPY_DST: 0x8, COPY_SRC: 0x4, UNIFORM: 0x40 };

/** Rows per workgroup: bounded so the f32 batch sums stay short; more for wide D to bound the partials' bytes. */
export function gramSpan(layout: GramLayout, rows: number, maxPartialBytes = 64 * 2 ** 20): number {
  const perPartial = 2 * layout.tiles * 64;
  const groups = Math.max(1, Math.floor(maxPartialBytes / perPartial));
  return Math.max(4096, Math.ceil(rows / groups / layout.rb) * layout.rb);
}

/** The Gram pass on one device for D features. */
export class GramPass {
  private constructor(
    private readonly ctx: GpuContext, readonly layout: GramLayout, private readonly pipeline: GPUComputePipeline,
    private readonly bindLayout: GPUBindGroupLayout, private readonly pairs: GPUBuffer, private readonly shift: GPUBuffer, private readonly params: GPUBuffer,
  ) {}

  static async create(ctx: GpuContext, d: number): Promise<GramPass> {
    const layout = gramLayout(d);
    const { device } = ctx;
    const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
    const bindLayout = device.createBindGroupLayout({
      label: 'gram',
      entries: [entry(0, 'uniform'), entry(1, 'read-only-storage'), entry(2, 'read-only-storage'), entry(3, 'read-only-storage'), entry(4, 'read-only-storage'), entry(5, 'storage')],
    });
    const pl = device.createPipelineLayout({ label: 'gram', bindGroupLayouts: [bindLayout] });
    const pipeline = await computePipelineAsync(device, 'gram', {}, pl, { WG: layout.wg, TPI: layout.tpi, DP4: layout.dp4, Z4: layout.z4, RB: layout.rb });
    const pairs = device.createBuffer({ label: 'gram.pairs', size: layout.pairs.byteLength, usage: STORAGE | COPY_DST });
    device.queue.writeBuffer(pairs, 0, layout.pairs as Uint32Array<ArrayBuffer>);
    const shift = device.createBuffer({ label: 'gram.shift', size: layout.dp4 * 16, usage: STORAGE | COPY_DST });
    const params = device.createBuffer({ label: 'gram.params', size: GRAM_PARAMS.bytes, usage: UNIFORM | COPY_DST });
    return new GramPass(ctx, layout, pipeline, bindLayout, pairs, shift, params);
  }

  /** ZᵀZ (W × W, f64) of rows [start, start + count) of a slot's x (DP4 vec4s per row) and y buffers. */
  async run(
    x: GPUBuffer, y: GPUBuffer, start: number, count: number, shift: ArrayLike<number>, yShift: number, o: { poison?: boolean } = {},
  ): Promise<Float64Array> {
    const { device } = this.ctx;
    const L = this.layout;
    const s = new Float32Array(L.dp4 * 4);
    for (let j = 0; j < L.d; j++) s[j] = shift[j];
    device.queue.writeBuffer(this.shift, 0, s);
    const span = gramSpan(L, count);
    const groups = Math.max(1, Math.ceil(count / span));
    const view = new DataView(new ArrayBuffer(GRAM_PARAMS.bytes));
    GRAM_PARAMS.write(view, 0, { start, count, span, tiles: L.tiles, partial_base: 0, y_shift: yShift });
    device.queue.writeBuffer(this.params, 0, view.buffer);
    const bytes = groups * 2 * L.tiles * 64;
    const partials = device.createBuffer({ label: 'gram.partials', size: bytes, usage: STORAGE | COPY_SRC, mappedAtCreation: !!o.poison });
    if (o.poison) {
      new Float32Array(partials.getMappedRange()).fill(NaN);
      partials.unmap();
    }
    try {
      const bind = device.createBindGroup({
        label: 'gram', layout: this.bindLayout,
        entries: [this.params, x, y, this.shift, this.pairs, partials].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const enc = device.createCommandEncoder({ label: 'gram' });
      const pass = enc.beginComputePass({ label: 'gram' });
      pass.setPipeline(this.pipeline);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(groups, L.groupsY);
      pass.end();
      device.queue.submit([enc.finish()]);
      return sumPartials(new Float32Array(await readBuffer(device, partials, 0, bytes)), L, groups);
    } finally {
      partials.destroy();
    }
  }

  dispose(): void {
    this.pairs.destroy();
    this.shift.destroy();
    this.params.destroy();
  }
}

/** Σ over partials of (sum − compensation) per tile, in f64, as the full symmetric W × W matrix. */
export function sumPartials(p: Float32Array, L: GramLayout, groups: number): Float64Array {
  const w = 4 * L.z4;
  const g = new Float64Array(w * w);
  for (let t = 0; t < L.tiles; t++) {
    const a = L.pairs[2 * t], b = L.pairs[2 * t + 1];
    for (let e = 0; e < 16; e++) {
      let v = 0;
      for (let k = 0; k < groups; k++) {
        const base = k * 2 * L.tiles * 16;
        v += p[base + t * 16 + e] - p[base + (L.tiles + t) * 16 + e];
      }
      // mat4x4 column c = za·zb[c]: element (r, c) is G[4a + r][4b + c].
      const c = e >> 2, r = e & 3;
      g[(4 * a + r) * w + 4 * b + c] = v;
      g[(4 * b + c) * w + 4 * a + r] = v;
    }
  }
  return g;
}

/**
 * The solver's Gram of columns [1, x (d), y] (without the 1 when no bias) from a W × W Gram of (x padded, y, 1).
 */
export function solverGram(g: Float64Array, L: Pick<GramLayout, 'd' | 'dp4' | 'z4'>, bias: boolean): Float64Array {
  const w = 4 * L.z4;
  const dp = 4 * L.dp4;
  const cols = [...(bias ? [dp + 1] : []), ...Array.from({ length: L.d }, (_, j) => j), dp];
  const p = cols.length;
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) out[i * p + j] = g[cols[i] * w + cols[j]];
  return out;
}
