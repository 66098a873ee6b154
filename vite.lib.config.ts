// Vite config for the package's library bundles (npm run build:lib): `--mode node` builds dist/lib/node.js from
// src/index.ts (Dawn's webgpu and the other dependencies stay external, resolved from the installing project);
// `--mode browser` builds dist/lib/browser.js from src/browser.ts with Dawn's package replaced by a stub, so a page's
// bundle never pulls in native code. Shaders (?raw) and worker sources (?thread, ?simd) are inlined as in the CLI.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import pkg from './package.json' with { type: 'json' };
import { simdKernels, threadSource } from './vite.plugins.ts';

const deps = Object.keys(pkg.dependencies);
const external = (id: string) => id.startsWith('node:') || deps.some((d) => id === d || id.startsWith(`${d}/`));

export default defineConfig(({ mode }) => {
  const browser = mode === 'browser';
  return {
    plugins: [threadSource(), simdKernels()],
    resolve: browser ? { alias: { webgpu: fileURLToPath(new URL('./src/web/node_webgpu_stub.ts', import.meta.url)) } } : {},
    worker: { format: 'es', plugins: () => [simdKernels()] },
    build: {
      outDir: 'dist/lib',
      emptyOutDir: false,
      target: browser ? 'es2022' : 'node20',
      minify: false,
      ssr: browser ? undefined : 'src/index.ts',
      lib: browser ? { entry: 'src/browser.ts', formats: ['es'], fileName: () => 'browser.js' } : undefined,
      rollupOptions: {
        external: browser ? (id: string) => external(id) && !id.startsWith('webgpu') : external,
        output: browser ? {} : { entryFileNames: 'node.js' },
      },
    },
    ssr: { external: deps },
  };
});
