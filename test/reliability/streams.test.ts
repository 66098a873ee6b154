// A file replaced, truncated or rewritten while a streamed training reads it stops the run with the file's name
// (src/data/fingerprint.ts), on every file format, instead of mixing two versions into later epochs and the metrics.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/cpu/backend';
import { cacheSource, writeCache } from '../../src/data/cache';
import { csvRows, csvHeader } from '../../src/data/csv_write';
import { csvSource } from '../../src/data/node_files';
import { npySource, NpyWriter } from '../../src/data/npy';
import type { DataSource } from '../../src/data/source';
import { linearDataset } from '../../src/data/synthetic';
import { train } from '../../src/train/train';
import { tempDir } from '../data/helpers';

const tmp = tempDir('streams');
const cpu = new CpuBackend();
const data = linearDataset({ rows: 2000, features: 3, seed: 1, chunkRows: 2000 });
const other = linearDataset({ rows: 2000, features: 3, seed: 2, chunkRows: 2000 });
// 2000 rows of 3 features take 36 kB: a 16 kB budget streams them.
const opts = { epochs: 4, batch: 100, lr: 0.05, memoryBudget: 16 << 10 };

async function writeNpy(path: string, ds: typeof data): Promise<void> {
  const x = await NpyWriter.create(path, 3);
  const y = await NpyWriter.create(path.replace(/\.npy$/, '.y.npy'), null);
  await x.append(ds.chunks[0].x);
  await y.append(ds.chunks[0].y);
  await x.close();
  await y.close();
}

const formats: [string, (path: string, ds: typeof data) => Promise<void>, (path: string) => Promise<DataSource>][] = [
  ['.dh', (p, ds) => writeCache(p, { ...ds, description: p, read: async function* () { yield* ds.chunks; } } as unknown as DataSource).then(() => undefined),
    (p) => cacheSource(p)],
  ['.npy', writeNpy, (p) => npySource({ x: p, y: p.replace(/\.npy$/, '.y.npy') })],
  ['.csv', async (p, ds) => fs.writeFileSync(p, csvHeader([...ds.features, 'y']) + csvRows(ds.chunks[0], 3)), (p) => csvSource(p, { target: 'y' })],
];

describe.each(formats)('a streamed %s file that changes during training', (ext, write, open) => {
  // Each change is synchronous, so it is complete when onEpoch returns (the replacement is written beforehand).
  const changes: [string, (path: string) => void, RegExp][] = [
    ['replaced by another file', (p) => fs.renameSync(`${p}.new${ext}`, p), /it was replaced by another file/],
    ['truncated in place', (p) => fs.truncateSync(p, fs.statSync(p).size - 64), /its size went from \d+ to \d+ bytes/],
    ['rewritten in place', (p) => {
      const fd = fs.openSync(p, 'r+');
      fs.writeSync(fd, new Uint8Array(8).fill(0x31), 0, 8, fs.statSync(p).size - 40);
      fs.closeSync(fd);
      fs.utimesSync(p, new Date(), new Date(Date.now() + 3000));
    }, /it was modified|its size went/],
  ];
  it.each(changes)('%s: the run stops naming the file', async (_, change, why) => {
    const path = tmp.file(`data-${Math.random().toString(36).slice(2)}${ext}`);
    await write(path, data);
    await write(`${path}.new${ext}`, other);
    const src = await open(path);
    let changed = false;
    const e = await train(cpu, src, {
      ...opts,
      onEpoch: () => {
        if (changed) return;
        changed = true;
        change(path);
      },
    }).then(() => null, (err: Error) => err);
    await src.close?.();
    expect(changed).toBe(true);
    expect(e, 'training went on with a changed file').not.toBeNull();
    expect(e!.message).toContain(path);
    expect(e!.message).toMatch(/the file changed while it was being read/);
    expect(e!.message).toMatch(why);
  });

  it('an unchanged file streams every epoch without complaint', async () => {
    const path = tmp.file(`same${ext}`);
    await write(path, data);
    const src = await open(path);
    const r = await train(cpu, src, opts);
    await src.close?.();
    expect(r.streamed).toBe(true);
    expect(r.epochs).toHaveLength(4);
  });
});
