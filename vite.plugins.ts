// Build-time plugins shared by the CLI bundle, the page and Vitest. `?thread` imports a TypeScript module as
// the source text of a self-contained worker script (bundled with rolldown, which Vite itself runs on), so the
// cpu-mt threads execute the same TypeScript as the CPU reference instead of a hand-written copy.
import type { Plugin } from 'vite';

const SUFFIX = '?thread';

/** `import src from './threads/x?thread'`: src is the bundled worker script (CommonJS for worker_threads' eval). */
export function threadSource(): Plugin {
  return {
    name: 'downhill:thread-source',
    async resolveId(id, importer) {
      if (!id.endsWith(SUFFIX)) return null;
      const r = await this.resolve(id.slice(0, -SUFFIX.length), importer, { skipSelf: true });
      return r ? r.id + SUFFIX : null;
    },
    async load(id) {
      if (!id.endsWith(SUFFIX)) return null;
      const file = id.slice(0, -SUFFIX.length);
      const { rolldown } = await import('rolldown');
      const bundle = await rolldown({ input: file, platform: 'node', external: [/^node:/], logLevel: 'warn' });
      try {
        const { output } = await bundle.generate({ format: 'cjs', minify: false });
        for (const w of bundle.watchFiles ? await bundle.watchFiles : []) this.addWatchFile(w);
        return `export default ${JSON.stringify(output[0].code)};`;
      } finally {
        await bundle.close();
      }
    },
  };
}
