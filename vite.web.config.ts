// Vite config for the web page (index.html + src/web): `npm run dev`, `npm run build:web` (into dist-web/,
// with relative paths so it works from any folder, offline) and `npm run preview` on 127.0.0.1.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { simdKernels } from './vite.plugins.ts';

/**
 * Cross-origin isolation, so the page's CPU worker may share memory with its own workers (SharedArrayBuffer) and
 * train on every core; a host serving dist-web elsewhere must send the same two headers, or the CPU runs on one thread.
 */
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: '.',
  base: './',
  publicDir: false,
  plugins: [simdKernels()],
  resolve: {
    // The engine's Node path imports Dawn's `webgpu` package; the page uses navigator.gpu instead.
    alias: { webgpu: fileURLToPath(new URL('./src/web/node_webgpu_stub.ts', import.meta.url)) },
  },
  build: {
    outDir: 'dist-web',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
  worker: { format: 'es', plugins: () => [simdKernels()] },
  server: { host: '127.0.0.1', headers: ISOLATION },
  preview: { host: '127.0.0.1', headers: ISOLATION },
});
