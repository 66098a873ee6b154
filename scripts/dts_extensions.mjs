// Build step of `npm run build:lib`: tsc writes declaration files with extensionless relative imports ('./train/train'),
// which TypeScript's NodeNext resolution rejects in an ES module package. This rewrites each relative specifier in
// dist/types to the file it names ('./train/train.js', or './losses/index.js' for a folder).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? 'dist/types');

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith('.d.ts')) yield p;
  }
}

let changed = 0;
for (const file of files(root)) {
  const text = readFileSync(file, 'utf8');
  const out = text.replace(/((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*)\2/g, (whole, lead, q, spec) => {
    if (/\.(js|mjs|cjs|json)$/.test(spec)) return whole;
    const base = resolve(dirname(file), spec);
    if (existsSync(`${base}.d.ts`)) return `${lead}${q}${spec}.js${q}`;
    if (existsSync(join(base, 'index.d.ts'))) return `${lead}${q}${spec}/index.js${q}`;
    throw new Error(`${file}: cannot resolve ${spec}`);
  });
  if (out !== text) {
    writeFileSync(file, out);
    changed++;
  }
}
console.log(`dts_extensions: ${changed} declaration files rewritten in ${root}`);
