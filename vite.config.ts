// Vite builds the CLI into one Node bundle (dist/cli.js) and serves the web page; Vitest runs the tests.
import { defineConfig } from 'vitest/config';
import { threadSource } from './vite.plugins.ts';

export default defineConfig({
  plugins: [threadSource()],
  build: {
    target: 'node20',
    emptyOutDir: true,
    rollupOptions: {
      output: { entryFileNames: 'cli.js', banner: '#!/usr/bin/env node' },
    },
  },
  // One self-contained bundle but for Dawn's native package, so dist/ runs where only node and webgpu exist.
  ssr: { noExternal: true, external: ['webgpu'] },
  test: {
    include: ['test/**/*.test.ts'],
    // dawn.node is not safe on worker threads (dawn-gpu/node-webgpu#13): use child processes.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
