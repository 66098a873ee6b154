// The WebGPU backend in a Web Worker (Chrome offers navigator.gpu to dedicated workers), so encoding steps and
// uploading millions of rows never stall the page (an upload of 3.3M rows froze it for 1.6 s when it ran there).
// It says which adapter it got (or why it got none) in its ready message, and when the device is lost. The loop and
// the messages are worker_loop.ts's, the CPU worker's too.
import { WebGpuBackend } from '../../gpu/backend';
import { adapterRows } from '../gpu_status';
import { toErrorMessage } from './protocol';
import { post, serve } from './worker_loop';

WebGpuBackend.create().then((backend) => {
  const { info, limits, features } = backend.ctx;
  serve(backend);
  backend.ctx.device.lost.then((l) => post({ type: 'lost', message: l.message || l.reason }));
  post({ type: 'ready', device: backend.device, adapter: { rows: adapterRows(info, limits), features } });
}, (e: unknown) => post({ type: 'ready', device: '', error: toErrorMessage(e).message }));
