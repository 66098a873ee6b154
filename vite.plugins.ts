// Build-time plugins shared by the CLI bundle, the page and Vitest. `?thread` imports a TypeScript module as
// the source text of a self-contained worker script (bundled with rolldown, which Vite itself runs on), so the
// CPU backend's threads execute the same TypeScript as the main thread instead of a hand-written copy. `?simd`
// compiles an AssemblyScript module to WebAssembly (SIMD128) twice — for a shared memory (threads) and a plain one (a
// page without cross-origin isolation) — and imports both binaries as base64. With it go the loss rows: for every
// scalar loss unit (src/core/losses/<stem>.ts with an `export class`), a generated `<stem>_rows` export that runs the
// unit's own math class through the one generic row loop (simd/rows.ts) — or the vectorized override in
// simd/losses/<stem>.ts where one exists (and softmax's, which has K outputs). asc reads a unit file through its
// portable view: the class and its imports from ./math, without the TypeScript descriptor beside them.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** The loss units' folder: each scalar unit's math class compiles into the fast CPU backend. */
const UNITS = resolve(dirname(fileURLToPath(import.meta.url)), 'src/core/losses');
/** The name of the generated module of `<stem>_rows` exports (virtual: it exists only for asc). */
const GLUE = 'loss_rows.generated.ts';

/** The portable part of a unit file that asc compiles: its imports from ./math and its classes. */
export function portableView(text: string): string {
  const imports = text.match(/^import \{[^}]*\} from '\.\/math';$/gm) ?? [];
  const classes = [...text.matchAll(/^export class \w+ \{[\s\S]*?^\}$/gm)].map((m) => m[0]);
  return [...imports, ...classes].join('\n') + '\n';
}

/** The scalar loss units: each file stem and its math class. */
async function scalarUnits(): Promise<{ stem: string; cls: string }[]> {
  const out: { stem: string; cls: string }[] = [];
  for (const f of (await readdir(UNITS)).filter((f) => f.endsWith('.ts')).sort()) {
    const cls = /^export class (\w+) \{/m.exec(await readFile(join(UNITS, f), 'utf8'));
    if (cls) out.push({ stem: f.slice(0, -3), cls: cls[1] });
  }
  return out;
}

/**
 * The generated glue: `<stem>_rows` for each scalar unit without an override, through scalarRows<Class>, and
 * `<stem>_rows_w` (sample weights) for every scalar unit, through scalarRowsW<Class>.
 */
function glueSource(units: { stem: string; cls: string }[], overrides: Set<string>, simdDir: string): string {
  const rel = relative(simdDir, UNITS).split(sep).join('/');
  const lines = ["import { scalarRows, scalarRowsW } from './rows';"];
  for (const u of units) {
    lines.push(`import { ${u.cls} } from '${rel}/${u.stem}';`);
    if (!overrides.has(u.stem)) {
      lines.push(`export function ${u.stem}_rows(z: usize, y: usize, g: usize, count: u32, hp: usize, out: usize): void { scalarRows<${u.cls}>(z, y, g, count, hp, out); }`);
    }
    lines.push(`export function ${u.stem}_rows_w(z: usize, y: usize, g: usize, count: u32, hp: usize, out: usize, w: usize): void { scalarRowsW<${u.cls}>(z, y, g, count, hp, out, w); }`);
  }
  return lines.join('\n') + '\n';
}

/** Compiles AssemblyScript entry files into one module with asc (unit files through their portable view, the glue virtual); returns the binary. */
async function assemble(files: string[], shared: boolean, glue: { path: string; source: string }): Promise<Uint8Array> {
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
    readFile: async (name, baseDir) => {
      const path = resolve(baseDir, name);
      if (path === glue.path) return glue.source;
      try {
        const text = await readFile(path, 'utf8');
        return dirname(path) === UNITS && !path.endsWith('math.ts') ? portableView(text) : text;
      } catch {
        return null;
      }
    },
    writeFile: (name, contents) => {
      if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
    },
  });
  if (error || !binary) throw new Error(`assemblyscript: ${files[0]}: ${error?.message ?? 'no binary'}\n${log.join('')}`);
  return binary;
}

/** Compiled kernels by file and modification time: the page's main and worker builds import the same file. */
const compiled = new Map<string, Promise<string>>();

/**
 * Compiled kernels on disk, by the hash of everything asc reads (the sources, the glue, its version and flags): the
 * CLI, library and page builds and Vitest are separate processes, and each compile costs seconds of CPU.
 */
const DISK_CACHE = fileURLToPath(new URL('./node_modules/.cache/downhill-simd/', import.meta.url));

async function cachedOnDisk(inputs: string[], make: () => Promise<string>): Promise<string> {
  const hash = createHash('sha256');
  for (const text of inputs) hash.update(`${text.length}:`).update(text);
  const path = join(DISK_CACHE, `${hash.digest('hex')}.js`);
  try {
    return await readFile(path, 'utf8');
  } catch { /* not compiled yet */ }
  const code = await make();
  // Written whole under a name of its own, then renamed: a process reading the cache never sees half a module.
  const part = `${path}.${process.pid}.${Date.now()}.part`;
  await mkdir(DISK_CACHE, { recursive: true });
  await writeFile(part, code);
  await rename(part, path);
  return code;
}

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
      const simdDir = dirname(file);
      const parts = join(simdDir, 'losses');
      const overrides = (await readdir(parts)).filter((f) => f.endsWith('.ts')).sort();
      const units = await scalarUnits();
      const glue = { path: join(simdDir, GLUE), source: glueSource(units, new Set(overrides.map((f) => f.slice(0, -3))), simdDir) };
      const files = [file, ...overrides.map((f) => join(parts, f)), glue.path];
      // Imported by the entries: the helpers, the generic loop and every unit file (with math.ts).
      const deps = [
        ...['loss_math.ts', 'fast_math.ts', 'math_rows.ts', 'rows.ts', 'records.ts', 'sparse.ts', 'sparse_update.ts'].map((f) => join(simdDir, f)),
        ...(await readdir(UNITS)).filter((f) => f.endsWith('.ts')).map((f) => join(UNITS, f)),
      ];
      const real = [...files.filter((f) => f !== glue.path), ...deps];
      for (const f of real) this.addWatchFile(f);
      const times = await Promise.all(real.map(async (f) => (await stat(f)).mtimeMs));
      const key = `${real.join(',')}@${times.join(',')}`;
      if (!compiled.has(key)) {
        const { version } = JSON.parse(await readFile(fileURLToPath(new URL('./node_modules/assemblyscript/package.json', import.meta.url)), 'utf8'));
        const sources = await Promise.all(real.map(async (f) => `${f}\n${await readFile(f, 'utf8')}`));
        const inputs = [`asc ${version}`, assemble.toString(), glue.source, files.join(','), ...sources];
        compiled.set(key, cachedOnDisk(inputs, async () => {
          const [shared, plain] = await Promise.all([assemble(files, true, glue), assemble(files, false, glue)]);
          const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
          return `export default { shared: ${JSON.stringify(b64(shared))}, plain: ${JSON.stringify(b64(plain))} };`;
        }));
      }
      return compiled.get(key)!;
    },
  };
}
