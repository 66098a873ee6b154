// src/web: the page. main.ts starts it, app.ts runs training; form/, data/, charts/, runs/, variants/ hold the parts.
// The page's entry: finds WebGPU (or explains why it is missing), starts the CPU worker, and wires the
// training form, the charts and the CPU-vs-GPU comparison together.
import './style.css';
import { WebGpuBackend } from '../gpu/backend';
import { TrainApp } from './app';
import { CompareApp } from './runs/compare';
import { TrainFormView } from './form/form';
import { adapterRows, explainNoWebGpu } from './gpu_status';
import { GpuRunner, WorkerRunner } from './runs/runners';
import { VariantsView } from './variants/variants';
import { byId, renderAdapter, renderWarning } from './views';

/** Acquires the WebGPU backend, or shows why there is none and returns undefined. */
async function connectGpu(): Promise<GpuRunner | undefined> {
  const badge = byId('gpu-badge');
  const env = { secureContext: window.isSecureContext, hasNavigatorGpu: 'gpu' in navigator && !!navigator.gpu, userAgent: navigator.userAgent };
  let error: string | undefined;
  if (env.secureContext && env.hasNavigatorGpu) {
    try {
      const backend = await WebGpuBackend.create();
      const { info, limits, features } = backend.ctx;
      badge.textContent = `WebGPU: ${backend.device}`;
      badge.dataset.gpu = 'ready';
      renderAdapter(byId('adapter'), adapterRows(info, limits), features);
      backend.ctx.device.lost.then((l) => {
        badge.textContent = `WebGPU device lost: ${l.message || l.reason}`;
        badge.dataset.gpu = 'missing';
      });
      return new GpuRunner(backend);
    } catch (e) {
      error = (e as Error).message;
    }
  }
  const why = explainNoWebGpu({ ...env, error });
  badge.textContent = 'No WebGPU: CPU only';
  badge.dataset.gpu = 'missing';
  renderWarning(byId('gpu-warning'), why);
  byId('adapter').textContent = why.title;
  return undefined;
}

async function main(): Promise<void> {
  const form = new TrainFormView();
  new VariantsView();
  const cpu = WorkerRunner.start();
  const gpu = await connectGpu();
  if (!gpu) form.cpuOnly();
  const train = new TrainApp(form, { webgpu: gpu, cpu });
  const compare = new CompareApp(gpu, cpu);
  train.onBusy = (busy) => compare.setBlocked(busy);
  compare.onBusy = (busy) => train.setBlocked(busy);
  document.body.dataset.ready = 'true';
}

main().catch((e: unknown) => {
  const el = byId('status');
  el.dataset.state = 'failed';
  el.textContent = `The page failed to start: ${e instanceof Error ? e.message : String(e)}`;
});
