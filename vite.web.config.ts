// Vite config for the web page (index.html + src/web): `npm run dev`, `npm run build:web` (into dist-web/,
// with relative paths so it works from any folder, offline) and `npm run preview` on 127.0.0.1.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: '.',
  base: './',
  publicDir: false,
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
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
