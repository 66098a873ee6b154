// Vite builds the CLI into a Node bundle (dist/cli.js and its chunks in dist/cli/) and serves the web page; Vitest runs the tests.
import { defineConfig } from 'vitest/config';
import { simdKernels, threadSource } from './vite.plugins.ts';

/** Test files that start browsers or CLI processes or measure memory: the `integration` project. */
const INTEGRATION = ['test/web/e2e*.test.ts', 'test/cli/**/*.test.ts', 'test/reliability/cli_*.test.ts', 'test/package/**/*.test.ts'];

export default defineConfig({
  plugins: [threadSource(), simdKernels()],
  build: {
    target: 'node20',
    // dist/ also holds the library and its types, built beside this (scripts/lanes.mjs): build:cli removes only
    // dist/cli.js and dist/cli/ before it writes them.
    emptyOutDir: false,
    rollupOptions: {
      // The commands and what only some of them need (GPU, Parquet) are chunks the entry imports when asked for.
      // A second entry, the command line as a function (dist/cli/command_line.js), lets the tests run many commands in
      // one process (test/helpers/cli.ts) on the same bundle as dist/cli.js.
      input: { cli: 'src/cli/main.ts', command_line: 'src/cli/command_line.ts' },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'cli' ? 'cli.js' : 'cli/[name].js'),
        chunkFileNames: 'cli/[name]-[hash].js',
        banner: (chunk) => (chunk.isEntry && chunk.name === 'cli' ? '#!/usr/bin/env node' : ''),
      },
    },
  },
  // Self-contained but for Dawn's native package, so dist/ runs where only node and webgpu exist.
  ssr: { noExternal: true, external: ['webgpu'] },
  test: {
    // dawn.node is not safe on worker threads (dawn-gpu/node-webgpu#13): use child processes.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Fast unit tests first; then the slow integration tests (browser, CLI spawns, memory bounds), which would
    // otherwise compete with the GPU tests for the two cores (lavapipe and SwiftShader each use every core).
    projects: [
      // Unit files share their worker's module cache (isolate: false): each of ~100 files would otherwise import the
      // engine afresh (~1–2 s of CPU each). They keep no global state between files (none mocks modules or globals
      // without restoring them).
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: INTEGRATION, isolate: false, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'integration', include: INTEGRATION, sequence: { groupOrder: 1 } } },
    ],
  },
});
