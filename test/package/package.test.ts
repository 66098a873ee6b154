// downhill as a user installs it: `npm pack`, the tarball installed into a fresh project, the `downhill` bin run
// directly (its execute bit), a tiny train, `import … from 'downhill'` training from a Node script, the type
// declarations resolving under tsc (NodeNext and Bundler resolution), and a Vite build of a one-file page that
// imports the browser entry without pulling in Dawn. Needs `npm run build` first (npm test runs it).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'downhill-package-'));
const proj = join(dir, 'proj');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd = proj) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, all: `${r.stdout}\n${r.stderr}` };
}

beforeAll(() => {
  for (const f of ['dist/cli.js', 'dist/lib/node.js', 'dist/lib/browser.js', 'dist/types/index.d.ts']) {
    if (!existsSync(join(repo, f))) throw new Error(`${f} is missing: run "npm run build" first (npm test does)`);
  }
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: repo, stdio: 'pipe' });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  execFileSync('mkdir', ['-p', proj]);
  writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'proj', version: '1.0.0', private: true, type: 'module' }));
  // From npm's cache where it can (npm ci filled it); the registry otherwise.
  const r = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(dir, tgz)]);
  if (r.code !== 0) throw new Error(`npm install of the tarball failed:\n${r.all}`);
}, 600_000);

describe('the installed package', () => {
  it('installs the downhill bin executable, and it runs', () => {
    const cli = join(proj, 'node_modules/downhill/dist/cli.js');
    expect(statSync(cli).mode & 0o111).toBe(0o111);
    const help = run(join(proj, 'node_modules/.bin/downhill'), ['--help']);
    expect(help.code, help.all).toBe(0);
    expect(help.out).toMatch(/^downhill — gradient descent/);
  });

  it('trains a tiny CSV through the bin, and finds WebGPU (Dawn resolved from the project)', () => {
    writeFileSync(join(proj, 't.csv'), 'a,y\n1,2\n2,4\n3,6\n4,8\n');
    const r = run(join(proj, 'node_modules/.bin/downhill'), ['train', 't.csv', '--target', 'y', '--backend', 'reference', '--epochs', '200', '--batch', 'full', '--lr', '0.05', '--json']);
    expect(r.code, r.all).toBe(0);
    expect(JSON.parse(r.out).weights[0]).toBeCloseTo(2, 1);
    const info = run(join(proj, 'node_modules/.bin/downhill'), ['info', '--json']);
    expect(info.code, info.all).toBe(0);
    expect(JSON.parse(info.out).adapter).toBeTruthy();
  });

  it('import { … } from "downhill" trains from a Node script, and its types check under NodeNext and Bundler resolution', () => {
    const script = `import { train, CpuBackend, linearDataset, DivergedError, WebGpuBackend, toModelFile, parseModelFile, type TrainResult } from 'downhill';
const data = linearDataset({ rows: 500, features: 3, seed: 1 });
const r: TrainResult = await train(new CpuBackend(), data, { epochs: 30, batch: 64, lr: 0.05 });
const file = toModelFile(r.params, { spec: r.spec, features: r.features, target: r.target, classes: r.classes });
const back = parseModelFile(JSON.stringify(file), 'm.json');
console.log(JSON.stringify({ loss: r.final.loss, weights: back.params.weights.length, diverged: typeof DivergedError, gpu: typeof WebGpuBackend.create }));
`;
    writeFileSync(join(proj, 'lib.ts'), script);
    writeFileSync(join(proj, 'lib.mjs'), script.replace(', type TrainResult', '').replace(': TrainResult', ''));
    const r = run(process.execPath, ['lib.mjs']);
    expect(r.code, r.all).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ weights: 3, diverged: 'function', gpu: 'function' });
    expect(JSON.parse(r.out).loss).toBeLessThan(0.05);
    // The declarations' own consistency is checked once (NodeNext); the Bundler check asks only that the script's
    // imports resolve and type-check against them (skipLibCheck): 6.2 s instead of 8.9 s here.
    for (const [module, resolution, skipLibCheck] of [['NodeNext', 'NodeNext', false], ['ESNext', 'Bundler', true]] as const) {
      writeFileSync(join(proj, 'tsconfig.json'), JSON.stringify({
        compilerOptions: { target: 'ES2022', module, moduleResolution: resolution, strict: true, noEmit: true, skipLibCheck, types: ['node'], typeRoots: [join(repo, 'node_modules/@types')] },
        files: ['lib.ts'],
      }));
      const tsc = run(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', '.']);
      expect(tsc.code, `${resolution}: ${tsc.all}`).toBe(0);
    }
  });

  it('a Vite build of a page importing the browser entry succeeds without Dawn or Node modules', () => {
    writeFileSync(join(proj, 'index.html'), '<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>\n');
    writeFileSync(join(proj, 'main.js'), `import { train, WebGpuBackend, CpuBackend, linearDataset, csvSourceFromBlob } from 'downhill';
const data = linearDataset({ rows: 100, features: 2, seed: 1 });
const backend = 'gpu' in navigator ? await WebGpuBackend.create() : new CpuBackend();
const r = await train(backend, data, { epochs: 3, batch: 32, lr: 0.05 });
document.body.textContent = 'loss ' + r.final.loss + ' ' + typeof csvSourceFromBlob;
`);
    const r = run(process.execPath, [join(repo, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn']);
    expect(r.code, r.all).toBe(0);
    const assets = readdirSync(join(proj, 'dist/assets'));
    const js = assets.filter((f) => f.endsWith('.js')).map((f) => execFileSync('cat', [join(proj, 'dist/assets', f)], { encoding: 'utf8' })).join('\n');
    expect(js).toContain('requestAdapter');
    expect(js).not.toMatch(/from\s*["']node:|require\(["']node:|dawn\.node/);
  });
});
