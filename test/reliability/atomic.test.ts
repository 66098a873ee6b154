// Atomic outputs (src/data/atomic.ts) and the output/input identity check (src/data/fingerprint.ts) in-process: sets
// put in place together, temp files removed on failure, stale temps of dead processes removed (and only those).
import fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicFile, commitAll, removeStaleTemps, tempPath, writeFileAtomic } from '../../src/data/atomic';
import { checkDistinct } from '../../src/data/fingerprint';
import { tempDir } from '../data/helpers';

const tmp = tempDir('atomic');
const enc = new TextEncoder();
const temps = () => fs.readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'));

describe('atomic files', () => {
  it('commitAll puts a set in place; until then the old set stays whole', async () => {
    fs.writeFileSync(tmp.file('x.npy'), 'old x');
    fs.writeFileSync(tmp.file('x.y.npy'), 'old y');
    const files = [await AtomicFile.create(tmp.file('x.npy')), await AtomicFile.create(tmp.file('x.y.npy'))];
    await files[0].write(enc.encode('new x'));
    await files[1].write(enc.encode('new y'));
    expect([fs.readFileSync(tmp.file('x.npy'), 'utf8'), fs.readFileSync(tmp.file('x.y.npy'), 'utf8')]).toEqual(['old x', 'old y']);
    await commitAll(files);
    expect([fs.readFileSync(tmp.file('x.npy'), 'utf8'), fs.readFileSync(tmp.file('x.y.npy'), 'utf8')]).toEqual(['new x', 'new y']);
    expect(temps()).toEqual([]);
  });

  it('a failed commit removes every temp file and leaves no main file beside a partner from another run', async () => {
    fs.writeFileSync(tmp.file('m.dh'), 'old');
    const main = await AtomicFile.create(tmp.file('m.dh'));
    await expect(AtomicFile.create(join(tmp.dir, 'no-such-dir', 'm.dh.truth.json'))).rejects.toThrow(/m\.dh\.truth\.json: cannot write/);
    const side = await AtomicFile.create(tmp.file('m.dh.truth.json'));
    fs.rmSync(side.tmp); // its rename will fail
    await expect(commitAll([main, side])).rejects.toThrow(/m\.dh\.truth\.json: cannot write/);
    expect(temps()).toEqual([]);
    expect(fs.existsSync(tmp.file('m.dh'))).toBe(false);
  });

  it('writeFileAtomic replaces a file whole, and a stale temp of a dead process is removed by the next writer', () => {
    const dead = join(tmp.dir, tempPath('z.json').split('/').pop()!.replace(`-${process.pid}-`, '-999999999-'));
    fs.writeFileSync(dead, 'left by kill -9');
    const live = join(tmp.dir, tempPath('z.json').split('/').pop()!.replace(`-${process.pid}-`, '-1-')); // pid 1 runs
    fs.writeFileSync(live, 'still being written');
    const other = join(tmp.dir, '.z.json.dh-zzzzzz-999999999-abc.tmp'); // another host's
    fs.writeFileSync(other, 'not ours');
    writeFileAtomic(tmp.file('z.json'), '{"a": 1}\n');
    expect(fs.readFileSync(tmp.file('z.json'), 'utf8')).toBe('{"a": 1}\n');
    expect([fs.existsSync(dead), fs.existsSync(live), fs.existsSync(other)]).toEqual([false, true, true]);
    expect(removeStaleTemps(tmp.dir)).toEqual([]);
    fs.rmSync(live);
    fs.rmSync(other);
  });
});

describe('outputs are never inputs', () => {
  const fail = (m: string) => new Error(m);
  it('catches the same path, a hard link, a symbolic link and a path through a linked directory', () => {
    const input = tmp.file('in.csv', 'a,y\n');
    fs.linkSync(input, tmp.file('hard.csv'));
    fs.symlinkSync(input, tmp.file('soft.csv'));
    fs.mkdirSync(tmp.file('real'));
    fs.symlinkSync(tmp.file('real'), tmp.file('alias'));
    expect(() => checkDistinct([input], [input], fail)).toThrow(/is the input/);
    expect(() => checkDistinct([tmp.file('hard.csv')], [input], fail)).toThrow(/is the same file as the input/);
    expect(() => checkDistinct([input], [tmp.file('soft.csv')], fail)).toThrow(/is the same file as the input/);
    expect(() => checkDistinct([join(tmp.dir, 'alias', 'new.json')], [], fail)).not.toThrow();
    expect(() => checkDistinct([join(tmp.dir, 'alias', 'new.json'), join(tmp.dir, 'real', 'new.json')], [], fail)).toThrow(/the other output/);
    expect(() => checkDistinct([tmp.file('fresh.json')], [input], fail)).not.toThrow();
  });
});
