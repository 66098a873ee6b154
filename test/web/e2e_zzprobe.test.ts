import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { browserSession, setField, train } from './session';
import { waitForValue } from './browser';

function cpuByType(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('chromium')) continue;
      const st = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      const t = (Number(st[11]) + Number(st[12])) / 100;
      const k = /--type=gpu-process/.test(cmd) ? 'gpu' : /--type=renderer/.test(cmd) ? 'renderer' : /--type=utility/.test(cmd) ? 'utility' : 'main';
      out[k] = (out[k] ?? 0) + t;
    } catch { /* gone */ }
  }
  return out;
}
const delta = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(b).map((k) => [k, +(b[k] - (a[k] ?? 0)).toFixed(2)]));
const { open } = browserSession();
it('probe', async () => {
  const LEVELS = 300; const lines = ['x,shop,y'];
  for (let i = 0; i < 1200; i++) { const k = (i * 7919) % LEVELS; const x = Math.sin(i * 0.37); lines.push(`${x.toFixed(4)},s${String(k).padStart(3, '0')},${(1.5 * x + 3 * Math.sin(k * 1.7)).toFixed(4)}`); }
  writeFileSync('/tmp/probe/shop2.csv', lines.join('\n') + '\n');
  const { page } = await open();
  let c0 = cpuByType(); let t0 = performance.now();
  await new Promise((r) => setTimeout(r, 5000));
  console.log('idle 5 s', delta(c0, cpuByType()), ((performance.now() - t0) / 1000).toFixed(1));
  await page.selectOption('#data-kind', 'linear');
  c0 = cpuByType(); t0 = performance.now();
  await train(page, { rows: '1500', epochs: '1', lr: '0.02', batch: '100' }, 'webgpu', 'done', 120000);
  console.log('first webgpu run (compile)', delta(c0, cpuByType()), ((performance.now() - t0) / 1000).toFixed(1));
  c0 = cpuByType(); t0 = performance.now();
  await train(page, { rows: '1500', epochs: '40', lr: '0.02', batch: '10' }, 'webgpu', 'done', 120000);
  console.log('6000 small steps', delta(c0, cpuByType()), ((performance.now() - t0) / 1000).toFixed(1));
  c0 = cpuByType(); t0 = performance.now();
  await new Promise((r) => setTimeout(r, 5000));
  console.log('idle 5 s after', delta(c0, cpuByType()));
  await page.selectOption('#data-kind', 'file');
  await page.setInputFiles('#file', '/tmp/probe/shop2.csv');
  await waitForValue(page, '#data-fields', 'ready', { attr: 'data-state' });
  await setField(page, '#hash-bits', '16');
  c0 = cpuByType(); t0 = performance.now();
  await train(page, { lr: '0.5', batch: '16', epochs: '15', seed: '1' }, 'webgpu', 'done', 120000);
  console.log('sparse webgpu 1125 steps', delta(c0, cpuByType()), ((performance.now() - t0) / 1000).toFixed(1));
  c0 = cpuByType(); t0 = performance.now();
  await train(page, { lr: '0.5', batch: '16', epochs: '15', seed: '1' }, 'cpu', 'done', 120000);
  console.log('sparse cpu 1125 steps', delta(c0, cpuByType()), ((performance.now() - t0) / 1000).toFixed(1));
}, 600000);
