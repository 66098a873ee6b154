// src/web: the page. main.ts starts it, app.ts runs training; form/, data/, charts/, runs/, variants/ hold the parts.
// The page's entry: starts the training workers (WebGPU's, when the page has navigator.gpu and the worker gets an
// adapter, else an explanation; the CPU's always), and wires the training form, the charts and the CPU-vs-GPU
// comparison together.
import './style.css';
import { TrainApp } from './app';
import { CompareApp } from './runs/compare';
import { TrainFormView } from './form/form';
import { adapterRows, explainNoWebGpu } from './gpu_status';
import { WorkerRunner } from './runs/runners';
import { VariantsView } from './variants/variants';
import { byId, renderAdapter, renderWarning } from './views';

/** Starts the WebGPU worker, or shows why there is none and returns undefined. */
async function connectGpu(): Promise<WorkerRunner | undefined> {
  const badge = byId('gpu-badge');
  const env = { secureContext: window.isSecureContext, hasNavigatorGpu: 'gpu' in navigator && !!navigator.gpu, userAgent: navigator.userAgent };
  let error: string | undefined;
  if (env.secureContext && env.hasNavigatorGpu) {
    const gpu = WorkerRunner.gpu();
    const ready = await gpu.ready;
    if (!ready.error && ready.adapter) {
      badge.textContent = `WebGPU: ${gpu.device}`;
      badge.dataset.gpu = 'ready';
      renderAdapter(byId('adapter'), ready.adapter.rows, ready.adapter.features);
      gpu.onLost = (message) => {
        badge.textContent = `WebGPU device lost: ${message}`;
        badge.dataset.gpu = 'missing';
      };
      return gpu;
    }
    error = ready.error;
    gpu.terminate();
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
  const cpu = WorkerRunner.cpu();
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
