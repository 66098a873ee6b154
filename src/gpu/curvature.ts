// Host wrapper of shaders/curvature.wgsl (Newton's row weights √(d²L/dz²) at the current model) and the weighted
// Gram that turns them into the Hessian of a one-output model's mean loss: Σ d²L/dz²·x̃x̃ᵀ over a step's rows, with
// x̃ = (x', 1) standardized as the kernels do (the Gram shifts by the means; the host scales by the inverse standard
// deviations). CPU twin: src/cpu/hessian.ts.
import type { ModelSpec } from '../core/model';
import type { Step } from '../core/schedule';
import type { GpuContext } from './device';
import { GramPass } from './gram';
import { defineParams } from './params';
import { computePipelineAsync } from './shaders';
import type { GpuStore } from './store';

/** The Params record of shaders/curvature.wgsl. */
export const CURVATURE_PARAMS = defineParams('curvature', [['start', 'u32'], ['count', 'u32'], ['_pad0', 'u32'], ['_pad1', 'u32']]);

const WG = 64;
const { STORAGE, UNIFORM, COPY_DST, COPY_SRC } = { STORAGE: 0x80, UNIFORM: 0x40, COPY_DST: 0x8, COPY_SRC: 0x4 };

/** The buffers a curvature dispatch reads: the session's model (current parameters first), standardization and hyperparameters. */
export interface CurvatureBuffers {
  model: GPUBuffer;
  norm: GPUBuffer;
  hp: GPUBuffer;
}

/** Newton's Hessian pass of one model on one device. */
export class HessianPass {
  private constructor(
    private readonly ctx: GpuContext, private readonly spec: ModelSpec, private readonly pipeline: GPUComputePipeline,
    private readonly layout: GPUBindGroupLayout, private readonly gram: GramPass, private readonly params: GPUBuffer,
  ) {}

  static async create(ctx: GpuContext, spec: ModelSpec, store: GpuStore): Promise<HessianPass> {
    if (spec.outputs !== 1) throw new Error('the WebGPU Hessian pass is for one-output losses; softmax Newton runs on the CPU backends (or use --solver lbfgs)');
    const { device } = ctx;
    const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
    const layout = device.createBindGroupLayout({
      label: 'curvature',
      entries: [entry(0, 'uniform'), entry(1, 'read-only-storage'), entry(2, 'read-only-storage'), entry(3, 'read-only-storage'), entry(4, 'read-only-storage'),
        entry(5, 'uniform'), entry(6, 'storage')],
    });
    const pl = device.createPipelineLayout({ label: 'curvature', bindGroupLayouts: [layout] });
    const dp4 = Math.ceil(spec.d / 4);
    const [pipeline, gram] = await Promise.all([
      computePipelineAsync(device, 'curvature', { loss: spec.loss, dtype: store.dtype }, pl, { WG, DP4: dp4, STANDARDIZE: spec.standardize ? 1 : 0 }),
      GramPass.create(ctx, spec.d, store.dtype, true),
    ]);
    const params = device.createBuffer({ label: 'curvature.params', size: CURVATURE_PARAMS.bytes, usage: UNIFORM | COPY_DST });
    return new HessianPass(ctx, spec, pipeline, layout, gram, params);
  }

  /** The row weights of rows [start, start + count) of a slot (for the parity test and the Gram). */
  async weights(store: GpuStore, slot: number, start: number, count: number, b: CurvatureBuffers, poison = false): Promise<GPUBuffer> {
    const { device } = this.ctx;
    const out = device.createBuffer({ label: 'curvature.out', size: Math.max(16, count * 4), usage: STORAGE | COPY_SRC, mappedAtCreation: poison });
    if (poison) {
      new Float32Array(out.getMappedRange()).fill(NaN);
      out.unmap();
    }
    device.queue.writeBuffer(this.params, 0, CURVATURE_PARAMS.pack({ start, count }));
    const s = store.slots[slot];
    const bind = device.createBindGroup({
      label: 'curvature', layout: this.layout,
      entries: [this.params, s.x, s.y, b.model, b.norm, b.hp, out].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const enc = device.createCommandEncoder({ label: 'curvature' });
    const pass = enc.beginComputePass({ label: 'curvature' });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(Math.max(1, Math.ceil(count / WG)));
    pass.end();
    device.queue.submit([enc.finish()]);
    return out;
  }

  /** The Hessian of the mean loss over a step's rows: (D + 1)², weights then the bias. */
  async run(store: GpuStore, step: Step, b: CurvatureBuffers): Promise<Float64Array> {
    const { d, standardize: norm } = this.spec;
    const shift = norm ? norm.mean : new Float64Array(d);
    const w = 4 * this.gram.layout.z4;
    const one = 4 * this.gram.layout.dp4 + 1;
    const g = new Float64Array(w * w);
    for (const p of step.pieces) {
      const weights = await this.weights(store, p.chunk, p.start, p.count, b);
      try {
        const part = await this.gram.run(store.slots[p.chunk].x, store.slots[p.chunk].y, p.start, p.count, shift, 0, { weights });
        for (let i = 0; i < g.length; i++) g[i] += part[i];
      } finally {
        weights.destroy();
      }
    }
    // x' = (x − mean)·s: the Gram of (x − mean) scaled by s on both sides; the intercept's column is the Gram's "1".
    const s = (j: number) => (norm ? norm.invStd[j] : 1);
    const col = (j: number) => (j < d ? j : one);
    const h = new Float64Array((d + 1) ** 2);
    const scale = 1 / Math.max(1, step.rows);
    for (let i = 0; i <= d; i++) {
      for (let j = 0; j <= d; j++) h[i * (d + 1) + j] = g[col(i) * w + col(j)] * (i < d ? s(i) : 1) * (j < d ? s(j) : 1) * scale;
    }
    if (!this.spec.fitBias) for (let i = 0; i <= d; i++) h[i * (d + 1) + d] = h[d * (d + 1) + i] = 0;
    return h;
  }

  dispose(): void {
    this.gram.dispose();
    this.params.destroy();
  }
}
