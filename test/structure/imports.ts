// The import graph of src/, read from the source text (type-only imports count: the goal is a structural DAG).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');

/** Every file below `dir` (relative to the root) whose name ends with one of `exts`. */
export function filesUnder(dir: string, exts: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(join(ROOT, d)).sort()) {
      const p = join(d, name);
      if (statSync(join(ROOT, p)).isDirectory()) walk(p);
      else if (exts.some((e) => name.endsWith(e))) out.push(p);
    }
  };
  walk(dir);
  return out;
}

const SPECIFIERS = [
  /(?:^|[\s;}])(?:import|export)\s[^;'"]*?\sfrom\s*['"]([^'"]+)['"]/gs,
  /(?:^|[\s;])import\s*['"]([^'"]+)['"]/g,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** The relative module specifiers a source file imports or re-exports (comments stripped first). */
export function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"\\])\/\/[^\n]*/g, '$1');
  const out = new Set<string>();
  for (const re of SPECIFIERS) for (const m of code.matchAll(re)) if (m[1].startsWith('.')) out.add(m[1]);
  return [...out];
}

/** The file a relative specifier names (query suffixes such as ?raw dropped), relative to the root; null if none. */
export function resolveImport(from: string, spec: string): string | null {
  const bare = spec.replace(/\?.*$/, '');
  const base = relative(ROOT, resolve(ROOT, dirname(from), bare));
  for (const c of [base, `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(join(ROOT, c)).isFile()) return c;
    } catch { /* try the next candidate */ }
  }
  return null;
}

/** The graph of src/: each TypeScript file and the src/ TypeScript files it imports. */
export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of filesUnder('src', ['.ts']).filter((f) => !f.startsWith('src/cpu/simd/') && !f.endsWith('.d.ts'))) {
    const deps = specifiers(readFileSync(join(ROOT, f), 'utf8'))
      .map((s) => resolveImport(f, s))
      .filter((t): t is string => t !== null && t.startsWith('src/') && t.endsWith('.ts'));
    graph.set(f, [...new Set(deps)]);
  }
  return graph;
}

/** Every import circle (strongly connected component of more than one file, or a file importing itself). */
export function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}
