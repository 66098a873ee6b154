// Build-time plugins shared by the CLI bundle, the page and Vitest. `?thread` imports a TypeScript module as
// the source text of a self-contained worker script (bundled with rolldown, which Vite itself runs on), so the
// CPU backend's threads execute the same TypeScript as the main thread instead of a hand-written copy. `?simd`
// compiles an AssemblyScript module, with every part in the `losses/` folder beside it (each exports its own
// `<stem>_rows`), to WebAssembly (SIMD128) twice — for a shared memory (threads) and a plain one (a page without
// cross-origin isolation) — and imports both binaries as base64.
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

const SUFFIX = '?thread';
const SIMD = '?simd';

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

/** Compiles AssemblyScript entry files into one module with asc; returns the binary. */
async function assemble(files: string[], shared: boolean): Promise<Uint8Array> {
  const asc = (await import('assemblyscript/asc')).default;
  let binary: Uint8Array | null = null;
  const log: string[] = [];
  const stream = { write: (s: string | Uint8Array) => void log.push(String(s)) };
  const { error } = await asc.main([
    // Static data (the math library's tables) goes at bytes 1024… of the first 64 KiB, which the arena never hands out.
    ...files, '--outFile', 'kernels.wasm', '-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '--initialMemory', '1',
    '--memoryBase', '1024', '--lowMemoryLimit', '65536',
    '--maximumMemory', '65536', '--enable', 'simd', ...(shared ? ['--sharedMemory', '--enable', 'threads'] : []),
  ], {
    stdout: stream, stderr: stream,
    writeFile: (name, contents) => {
      if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
    },
  });
  if (error || !binary) throw new Error(`assemblyscript: ${files[0]}: ${error?.message ?? 'no binary'}\n${log.join('')}`);
  return binary;
}

/** Compiled kernels by file and modification time: the page's main and worker builds import the same file. */
const compiled = new Map<string, Promise<string>>();

/** `import k from './simd/kernels.ts?simd'`: k.shared and k.plain are the module compiled for each kind of memory, base64. */
export function simdKernels(): Plugin {
  return {
    name: 'downhill:simd-kernels',
    enforce: 'pre',
    async resolveId(id, importer) {
      if (!id.endsWith(SIMD)) return null;
      const r = await this.resolve(id.slice(0, -SIMD.length), importer, { skipSelf: true });
      return r ? r.id + SIMD : null;
    },
    async load(id) {
      if (!id.endsWith(SIMD)) return null;
      const file = id.slice(0, -SIMD.length);
      const parts = join(dirname(file), 'losses');
      const files = [file, ...(await readdir(parts)).filter((f) => f.endsWith('.ts')).sort().map((f) => join(parts, f))];
      const helpers = ['loss_math.ts', 'fast_math.ts'].map((f) => join(dirname(file), f)); // imported by the parts
      for (const f of [...files, ...helpers]) this.addWatchFile(f);
      const times = await Promise.all([...files, ...helpers].map(async (f) => (await stat(f)).mtimeMs));
      const key = `${files.join(',')}@${times.join(',')}`;
      if (!compiled.has(key)) {
        compiled.set(key, Promise.all([assemble(files, true), assemble(files, false)]).then(([shared, plain]) => {
          const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
          return `export default { shared: ${JSON.stringify(b64(shared))}, plain: ${JSON.stringify(b64(plain))} };`;
        }));
      }
      return compiled.get(key)!;
    },
  };
}
