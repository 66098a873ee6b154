// Host wrapper of the sparse forward kernels — shaders/sparse_grad.wgsl (one output, scalar losses: (loss, dL/dz, z, y)
// per row) and shaders/sparse_softmax.wgsl (K outputs, multiclass: (loss, y, dL/dz_c…, z_c…)) — and of
// shaders/sparse_scatter.wgsl (the backward sums of K outputs over the run's column-sorted copy, core/csr_columns.ts,
// built here on the host in O(entries)); f32 rows in the store's layout. The sums come back as the f64 reference's
// SparseSums shape (dense sums, biases, loss, and the touched columns' sums). CPU twin: src/cpu/sparse_grad.ts.
import { ColumnSorter, type ColumnSorted, type RowRun } from '../core/csr_columns';
import type { Csr } from '../core/csr';
import { LOSSES } from '../core/losses';
import type { ModelSpec } from '../core/model';
import { feistelHalfBits } from '../core/permute';
import { createFilled, GrowingBuffer, Readback } from './buffers';
import { defineParams, packHyper } from './params';
import { computePipelineAsync } from './shaders';

/** The Params record of shaders/sparse_grad.wgsl. */
export const SPARSE_GRAD_PARAMS = defineParams('sparse_grad', [
  ['start', 'u32'], ['count', 'u32'], ['rows', 'u32'], ['key', 'u32'], ['half_bits', 'u32'], ['dense', 'u32'], ['width', 'u32'],
]);

/** The Params record of shaders/sparse_scatter.wgsl. */
export const SPARSE_SCATTER_PARAMS = defineParams('sparse_scatter', [
  ['start', 'u32'], ['count', 'u32'], ['rows', 'u32'], ['key', 'u32'], ['half_bits', 'u32'], ['dense', 'u32'], ['segments', 'u32'],
]);

const WG = 64;

/** Both kernels' pipelines for a model (shuffled and plain runs; indicator or valued entries) and their bind group layouts. */
export interface SparsePipelines {
  grad(shuffle: boolean, valued: boolean): GPUComputePipeline;
  scatter(shuffle: boolean): GPUComputePipeline;
  gradLayout: GPUBindGroupLayout;
  scatterLayout: GPUBindGroupLayout;
  dp4: number;
  /** Outputs K, and floats per row of the forward pass's out. */
  k: number;
  stride: number;
}

/** Floats per row of the forward pass's out: (loss, dL/dz, z, y) for one output, (loss, y, K dL/dz, K z's) for K. */
export const forwardStride = (k: number): number => (k === 1 ? 4 : 2 + 2 * k);

/** A bind group layout from binding types in order. */
function layoutOf(device: GPUDevice, label: string, types: GPUBufferBindingType[]): GPUBindGroupLayout {
  return device.createBindGroupLayout({ label, entries: types.map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })) });
}

/** Builds the pipelines of a model with a sparse block: one output (scalar losses) or K (a multiclass loss). */
export async function sparsePipelines(device: GPUDevice, spec: ModelSpec): Promise<SparsePipelines> {
  if (!spec.sparse) throw new Error('the sparse kernels run models with a sparse block');
  const k = spec.outputs;
  const multi = LOSSES[spec.loss].task === 'multiclass';
  if (multi !== (k > 1)) throw new Error(`the ${spec.loss} loss with ${k} output(s): the sparse kernels take one output for a scalar loss, K for a multiclass one`);
  const stride = forwardStride(k);
  const dp4 = Math.max(1, Math.ceil(spec.sparse.dense / 4));
  const base = { WG, DP4: dp4, STANDARDIZE: spec.standardize ? 1 : 0 };
  const ro = 'read-only-storage' as const;
  const gradLayout = layoutOf(device, 'sparse_grad', ['uniform', ro, ro, ro, ro, ro, ro, ro, 'uniform', 'storage']);
  const scatterLayout = layoutOf(device, 'sparse_scatter', ['uniform', ro, ro, ro, ro, ro, ro, 'storage']);
  const gpl = device.createPipelineLayout({ label: 'sparse_grad', bindGroupLayouts: [gradLayout] });
  const spl = device.createPipelineLayout({ label: 'sparse_scatter', bindGroupLayouts: [scatterLayout] });
  const forward = multi ? 'sparse_softmax' : 'sparse_grad';
  const grads = await Promise.all([0, 1, 2, 3].map((v) => computePipelineAsync(device, forward, { loss: spec.loss }, gpl, { ...base, SHUFFLE: v & 1, VALUED: v >> 1, ...(multi ? { K: k } : {}) })));
  const scatters = await Promise.all([0, 1].map((sh) => computePipelineAsync(device, 'sparse_scatter', {}, spl, { ...base, SHUFFLE: sh, K: k, STRIDE: stride, DZ: multi ? 2 : 1 })));
  return { grad: (sh, valued) => grads[(sh ? 1 : 0) + (valued ? 2 : 0)], scatter: (sh) => scatters[sh ? 1 : 0], gradLayout, scatterLayout, dp4, k, stride };
}

/** A chunk's rows on the device: dense rows (DP4 vec4s each), targets and the CSR block. */
export interface SparseChunkBuffers {
  rows: number;
  x: GPUBuffer;
  y: GPUBuffer;
  ptr: GPUBuffer;
  idx: GPUBuffer;
  /** Values (a 16-byte placeholder for indicator blocks). */
  val: GPUBuffer;
}

/** Uploads a typed array as a storage buffer. */
export function upload(device: GPUDevice, label: string, a: Uint32Array | Float32Array): GPUBuffer {
  return createFilled(device, label, a.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, (b) => new (a instanceof Uint32Array ? Uint32Array : Float32Array)(b).set(a));
}

/** A store slot's sparse block: the host copy and its device buffers. */
export interface SparseSlot {
  csr: Csr;
  ptr: GPUBuffer;
  idx: GPUBuffer;
  val: GPUBuffer;
}

/** Uploads a CSR block. */
export function uploadCsr(device: GPUDevice, c: Csr): Pick<SparseChunkBuffers, 'ptr' | 'idx' | 'val'> {
  return { ptr: upload(device, 'sparse.ptr', c.ptr), idx: upload(device, 'sparse.idx', c.idx), val: upload(device, 'sparse.val', c.val ?? new Float32Array(4)) };
}

/** What one run adds up: dense sums (K × D_dense), bias (K) and loss sums, and the sums of the columns it touched (K × cols). */
export interface SparseRunSums {
  rows: number;
  grad: Float64Array;
  gradBias: Float64Array;
  loss: number;
  cols: Uint32Array;
  /** Output c's sum at column cols[s]: sparse[c · cols.length + s]. */
  sparse: Float64Array;
}

/**
 * Runs a model's two kernels over runs of a chunk: forward (one invocation per row), then the column-sorted sums.
 * A step's parameters, column-sorted entries and outputs go into buffers kept between steps (grown when a step needs
 * more) and its sums come back in the step's own submit, so a small step costs no buffer allocations.
 */
export class SparseGradPass {
  private readonly sorter: ColumnSorter;
  private readonly hp: GPUBuffer;
  private readonly kept: GrowingBuffer[];
  private readonly gp: GrowingBuffer;
  private readonly sp: GrowingBuffer;
  private readonly out: GrowingBuffer;
  private readonly sums: GrowingBuffer;
  private readonly seg: GrowingBuffer;
  private readonly at: GrowingBuffer;
  private readonly ev: GrowingBuffer;
  private readonly readback: Readback;

  constructor(private readonly device: GPUDevice, private readonly p: SparsePipelines, private readonly spec: ModelSpec) {
    this.sorter = new ColumnSorter(spec.sparse!.width);
    const hp = packHyper(spec.lossHp, [0, 0, 0, 0]);
    this.hp = createFilled(device, 'sparse_grad.hp', hp.byteLength, GPUBufferUsage.UNIFORM, (b) => new Uint8Array(b).set(new Uint8Array(hp.buffer, hp.byteOffset, hp.byteLength)));
    const grow = (label: string, usage: GPUBufferUsageFlags) => new GrowingBuffer(device, label, usage);
    this.kept = [
      (this.gp = grow('sparse_grad.params', GPUBufferUsage.UNIFORM)), (this.sp = grow('sparse_scatter.params', GPUBufferUsage.UNIFORM)),
      (this.out = grow('sparse_grad.out', GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC)),
      (this.sums = grow('sparse_scatter.sums', GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC)),
      (this.seg = grow('sparse_scatter.seg', GPUBufferUsage.STORAGE)), (this.at = grow('sparse_scatter.at', GPUBufferUsage.STORAGE)),
      (this.ev = grow('sparse_scatter.val', GPUBufferUsage.STORAGE)),
    ];
    this.readback = new Readback(device, 'sparse_grad');
  }

  private bind(layout: GPUBindGroupLayout, label: string, buffers: GPUBuffer[]): GPUBindGroup {
    return this.device.createBindGroup({ label, layout, entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
  }

  /** Encodes the forward pass of a run into `pass`; returns its out buffer (forwardStride floats a row). */
  private forward(pass: GPUComputePassEncoder, chunk: SparseChunkBuffers, valued: boolean, run: RowRun, model: GPUBuffer, norm: GPUBuffer): GPUBuffer {
    const { dense, width } = this.spec.sparse!;
    const gp = this.gp.write(new Uint8Array(SPARSE_GRAD_PARAMS.pack({ start: run.start, count: run.count, rows: chunk.rows, key: run.key, half_bits: feistelHalfBits(chunk.rows), dense, width })));
    const out = this.out.get(run.count * this.p.stride * 4);
    const g = this.p.grad(run.shuffle, valued);
    pass.setPipeline(g);
    pass.setBindGroup(0, this.bind(this.p.gradLayout, 'sparse_grad', [gp, chunk.x, chunk.y, chunk.ptr, chunk.idx, chunk.val, model, norm, this.hp, out]));
    if (run.count > 0) pass.dispatchWorkgroups(Math.ceil(run.count / WG));
    return out;
  }

  /** Each row of a run at the weights in `model`, forwardStride floats a row (evaluation's outputs: the z's and y). */
  async outputs(chunk: SparseChunkBuffers, csr: Csr, run: RowRun, model: GPUBuffer, norm: GPUBuffer): Promise<Float32Array> {
    const enc = this.device.createCommandEncoder({ label: 'sparse_grad.outputs' });
    const pass = enc.beginComputePass({ label: 'sparse_grad.outputs' });
    const out = this.forward(pass, chunk, csr.val !== null, run, model, norm);
    pass.end();
    const read = this.readback.copy(enc, out, 0, run.count * this.p.stride * 4);
    this.device.queue.submit([enc.finish()]);
    return new Float32Array(await read());
  }

  /** The sums of a run of `chunk` (its CSR block `csr` kept on the host) at the weights in `model` (dense, sparse, bias). */
  async run(chunk: SparseChunkBuffers, csr: Csr, run: RowRun, model: GPUBuffer, norm: GPUBuffer): Promise<SparseRunSums> {
    const { device, p } = this;
    const { dense } = this.spec.sparse!;
    const sorted: ColumnSorted = this.sorter.sort(csr, chunk.rows, run);
    const k = p.k;
    const total = k * (sorted.segments + dense + 1) + 1;
    const sp = this.sp.write(new Uint8Array(SPARSE_SCATTER_PARAMS.pack({
      start: run.start, count: run.count, rows: chunk.rows, key: run.key, half_bits: feistelHalfBits(chunk.rows), dense, segments: sorted.segments,
    })));
    const sums = this.sums.get(total * 4);
    const seg = this.seg.write(sorted.seg);
    const at = this.at.write(sorted.at);
    const ev = this.ev.write(sorted.val);
    const enc = device.createCommandEncoder({ label: 'sparse_grad' });
    const pass = enc.beginComputePass({ label: 'sparse_grad' });
    const dz = this.forward(pass, chunk, csr.val !== null, run, model, norm);
    pass.setPipeline(p.scatter(run.shuffle));
    pass.setBindGroup(0, this.bind(p.scatterLayout, 'sparse_scatter', [sp, chunk.x, norm, seg, at, ev, dz, sums]));
    pass.dispatchWorkgroups(Math.ceil(total / WG));
    pass.end();
    const read = this.readback.copy(enc, sums, 0, total * 4);
    device.queue.submit([enc.finish()]);
    const f = new Float32Array(await read());
    const cut = k * sorted.segments;
    return {
      rows: run.count, grad: Float64Array.from(f.subarray(cut, cut + k * dense)), gradBias: Float64Array.from(f.subarray(cut + k * dense, cut + k * dense + k)),
      loss: f[total - 1], cols: sorted.cols, sparse: Float64Array.from(f.subarray(0, cut)),
    };
  }

  /** Frees the kept buffers. */
  dispose(): void {
    this.hp.destroy();
    for (const b of this.kept) b.destroy();
    this.readback.destroy();
  }
}
