// The house's import rules, checked on every file of src/: imports flow one way (core → data | backend.ts →
// cpu | gpu → train → dist → cli | web → browser.ts → index.ts), folders on one floor never import each other (cpu
// and gpu, cli and web), nothing train.ts runs imports it back, no import circle exists anywhere, and nothing the
// page or src/core loads imports a Node module (src/dist/, the TCP ranks, is for Node alone). A new circle or a
// layer leak fails here with the files named.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { circles, importGraph, resolveImport, ROOT, specifiers } from './imports';

/** Each group of files (a folder prefix or one file) and its floor. */
const FLOORS: readonly (readonly [string, number])[] = [
  ['src/core/', 0],
  ['src/data/', 1], ['src/backend.ts', 1],
  ['src/cpu/', 2], ['src/gpu/', 2],
  ['src/train/', 3],
  ['src/dist/', 4],
  ['src/cli/', 5], ['src/web/', 5],
  ['src/browser.ts', 6],
  ['src/index.ts', 7],
];

const groupOf = (file: string) => FLOORS.find(([g]) => (g.endsWith('/') ? file.startsWith(g) : file === g));

const graph = importGraph();

describe('import rules of src/', () => {
  it('reads the imports it checks (a sanity check of the reader)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/train/run.ts')).toContain('src/core/losses/index.ts');
    expect(specifiers("import type { A } from './a';\nexport { b } from '../b';\n// import x from './c'\nconst m = import('./d');"))
      .toEqual(['./a', '../b', './d']);
  });

  it('puts every source file on a floor', () => {
    expect([...graph.keys()].filter((f) => !groupOf(f))).toEqual([]);
  });

  it('imports only from its own folder or a lower floor', () => {
    const leaks: string[] = [];
    for (const [file, deps] of graph) {
      const [g, floor] = groupOf(file)!;
      for (const dep of deps) {
        const [h, depFloor] = groupOf(dep)!;
        if (h !== g && depFloor >= floor) leaks.push(`${file} → ${dep}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('has no import circles', () => {
    expect(circles(graph).map((c) => c.join(' ↔ '))).toEqual([]);
  });

  it('finds a circle when there is one (the check itself)', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(circles(g)).toEqual([['a', 'b', 'c']]);
  });

  it('never imports train.ts back from what it runs (the epoch loop, solvers and checkpoints read plan.ts and report.ts)', () => {
    const reached = new Set<string>();
    const walk = (f: string) => {
      for (const dep of graph.get(f) ?? []) if (!reached.has(dep)) reached.add(dep), walk(dep);
    };
    walk('src/train/train.ts');
    expect([...reached].filter((f) => graph.get(f)!.includes('src/train/train.ts'))).toEqual([]);
    expect(reached).toContain('src/train/run.ts');
    expect(reached).toContain('src/train/plan.ts');
  });

  it('keeps Node modules out of the page and src/core (browser.ts, src/web/ and src/core/ load no node: module)', () => {
    // What is loaded at run time: type-only imports are erased.
    const typeOnly = /(?:import|export)\s+type\s[^;'"]*?\sfrom\s*['"][^'"]+['"]/g;
    const loads = (f: string) => specifiers(readFileSync(join(ROOT, f), 'utf8').replace(typeOnly, '')).map((sp) => resolveImport(f, sp)).filter((t): t is string => !!t && graph.has(t));
    const reached = new Set<string>();
    const walk = (f: string) => {
      if (reached.has(f)) return;
      reached.add(f);
      for (const dep of loads(f)) walk(dep);
    };
    for (const f of graph.keys()) if (f === 'src/browser.ts' || f.startsWith('src/web/') || f.startsWith('src/core/')) walk(f);
    const nodeImport = /(?:from\s*|import\s*\(?\s*)['"]node:[^'"]+['"]/;
    expect([...reached].filter((f) => nodeImport.test(readFileSync(join(ROOT, f), 'utf8')))).toEqual([]);
    expect(reached).toContain('src/train/distributed.ts');
    expect(reached).not.toContain('src/dist/tcp.ts');
  });
});
