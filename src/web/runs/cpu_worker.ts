// The CPU backend in a Web Worker, so CPU training and timing never stall the page: the fast f32 SIMD backend,
// on every core through nested workers when the page is cross-origin isolated, else on this worker alone (its
// device string says so). The loop and the messages are worker_loop.ts's.
import { webCpuBackend } from '../../cpu/simd_web';
import { post, serve } from './worker_loop';

const backend = webCpuBackend();
serve(backend);
post({ type: 'ready', device: backend.device });
