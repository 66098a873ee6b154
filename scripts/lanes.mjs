// Runs npm scripts in lanes: each argument is one lane, its scripts joined by commas and run in that order; lanes run
// side by side, as many at a time as the machine has cores (the builds and tsc are mostly one thread each). A lane's
// output is printed whole when it ends, so lanes never interleave their lines; the first failing script ends the run
// with its exit status once the running lanes finish.
//   node scripts/lanes.mjs build:cli,build:lib:bundle build:web build:lib:types
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

const lanes = process.argv.slice(2).map((a) => a.split(',').filter(Boolean));
if (lanes.length === 0 || lanes.some((l) => l.length === 0)) {
  console.error('usage: node scripts/lanes.mjs script[,script…] [script[,script…] …]');
  process.exit(2);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs one npm script with its output captured; resolves to its exit status and output. */
function runScript(name) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(npm, ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('error', (e) => out.push(Buffer.from(`${e.message}\n`)));
    child.on('close', (code, signal) => resolve({
      code: code ?? 1, text: Buffer.concat(out).toString(), seconds: (performance.now() - t0) / 1000, signal,
    }));
  });
}

let failed = 0;
const queue = [...lanes];
async function worker() {
  for (let lane = queue.shift(); lane && !failed; lane = queue.shift()) {
    for (const name of lane) {
      const r = await runScript(name);
      process.stdout.write(`> ${name} (${r.seconds.toFixed(1)} s)\n${r.text}`);
      if (r.code !== 0) {
        console.error(`npm run ${name} failed (${r.signal ? `signal ${r.signal}` : `exit ${r.code}`})`);
        failed ||= r.code;
        return;
      }
    }
  }
}
await Promise.all(Array.from({ length: Math.min(lanes.length, Math.max(1, availableParallelism())) }, worker));
process.exit(failed);
