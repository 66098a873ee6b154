// Fault injection: 200 seeded corruptions — one byte changed (a random bit mask at a random place) or the file cut
// short — of a checkpoint, a saved model and a .dh cache, each read back the way `train --resume`, `predict` and
// `train data.dh` read them. Every case must be refused with an error naming the file, or be proven harmless:
// - checkpoints and models: the same content (a changed 17th significant digit that spells the same double);
// - a .dh cache: its header is checksummed and its values are checked against each column's recorded range, so a
//   change the format cannot tell is one value moved within its column's range; harmless here means the exact
//   least-squares solution of the data read moves by less than one row's worth, 10/N relative.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostChunk } from '../../src/core/dataset';
import { parseModelFile, toModelFile, type LoadedModel } from '../../src/core/model_file';
import { Rng } from '../../src/core/rng';
import { LeastSquaresStream, solveFactor } from '../../src/core/solver/least_squares';
import { parseTrainSpec } from '../../src/core/spec';
import { CpuBackend } from '../../src/cpu/backend';
import { cacheSource, writeCache } from '../../src/data/cache';
import { memorySource } from '../../src/data/source';
import { linearDataset } from '../../src/data/synthetic';
import { parseCheckpoint, serializeCheckpoint, type Checkpoint } from '../../src/train/checkpoint';
import { train } from '../../src/train/train';

const ROWS = 2000;
const D = 4;
const CASES = 200;
const dir = mkdtempSync(join(tmpdir(), 'downhill-faults-'));
const files = { checkpoint: join(dir, 'run.ckpt.json'), model: join(dir, 'model.json'), cache: join(dir, 'data.dh') };
type Kind = keyof typeof files;
const original = {} as Record<Kind, Buffer>;

/** The least-squares weights and bias of a cache's rows (f64), or the error reading them. */
async function solveCache(path: string): Promise<Float64Array> {
  const src = await cacheSource(path);
  const ls = new LeastSquaresStream(D, true);
  const chunks: HostChunk[] = [];
  for await (const c of src.read()) chunks.push(c);
  for (const c of chunks) ls.add(c.x, c.y, c.rows);
  const p = solveFactor(ls.factor()).params;
  return Float64Array.of(...p.weights, ...p.bias);
}

let cacheSolution: Float64Array;
let model: LoadedModel;

beforeAll(async () => {
  const data = linearDataset({ rows: ROWS, features: D, noise: 0.1, seed: 41 });
  await writeCache(files.cache, memorySource(data, 'synthetic'));
  let last: Checkpoint | null = null;
  const r = await train(new CpuBackend(), data, {
    epochs: 2, batch: 100, lr: 0.05, optimizer: 'adam', checkpointSteps: 15, onCheckpoint: async (c) => void (last = c),
  });
  writeFileSync(files.checkpoint, serializeCheckpoint(last!));
  const spec = parseTrainSpec({ optimizer: 'adam', epochs: 2, batch: 100, lr: 0.05 });
  writeFileSync(files.model, JSON.stringify(toModelFile(r.params, { spec, features: r.features, target: r.target, classes: null }), null, 2) + '\n');
  for (const k of Object.keys(files) as Kind[]) original[k] = readFileSync(files[k]);
  cacheSolution = await solveCache(files.cache);
  model = parseModelFile(original.model.toString('utf8'), files.model);
});

/** What reading a corrupted copy gives: refused (the message), or what was read. */
async function readBack(kind: Kind, bytes: Buffer): Promise<{ refused: string } | { read: unknown }> {
  const path = join(dir, `bad-${kind}`);
  writeFileSync(path, bytes);
  try {
    if (kind === 'checkpoint') return { read: serializeCheckpoint(parseCheckpoint(bytes.toString('utf8'), path)) };
    if (kind === 'model') return { read: parseModelFile(bytes.toString('utf8'), path) };
    return { read: await solveCache(path) };
  } catch (e) {
    const message = (e as Error).message;
    expect(message, `a refusal names the file: ${message}`).toContain(path);
    return { refused: message };
  }
}

/** Whether what was read is harmless: the same content, or (a .dh cache) a solution within one row's influence. */
function harmless(kind: Kind, read: unknown): boolean {
  if (kind === 'checkpoint') return read === original.checkpoint.toString('utf8');
  if (kind === 'model') {
    const m = read as LoadedModel;
    return JSON.stringify({ ...m, params: [...m.params.weights, ...m.params.bias] }) === JSON.stringify({ ...model, params: [...model.params.weights, ...model.params.bias] });
  }
  const s = read as Float64Array;
  const scale = Math.max(...cacheSolution.map(Math.abs));
  return s.every((v, i) => Math.abs(v - cacheSolution[i]) <= (10 / ROWS) * scale);
}

describe('fault injection: checkpoints, models and .dh caches', () => {
  it(`${CASES} seeded single-byte corruptions and truncations are each refused or harmless`, async () => {
    const rng = new Rng(2026);
    const kinds: Kind[] = ['checkpoint', 'model', 'cache'];
    const tally = { refused: 0, harmless: 0 };
    for (let i = 0; i < CASES; i++) {
      const kind = kinds[i % 3];
      const bytes = Buffer.from(original[kind]);
      const truncate = rng.float() < 0.25;
      const at = Math.floor(rng.float() * bytes.length);
      let what: string;
      if (truncate) {
        what = `${kind} cut to ${at} of ${bytes.length} bytes`;
      } else {
        const mask = 1 + Math.floor(rng.float() * 255);
        bytes[at] ^= mask;
        what = `${kind} byte ${at} ^ 0x${mask.toString(16)}`;
      }
      const out = await readBack(kind, truncate ? bytes.subarray(0, at) : bytes);
      if ('refused' in out) tally.refused++;
      else {
        expect(harmless(kind, out.read), `${what} was read without an error and is not harmless`).toBe(true);
        tally.harmless++;
      }
    }
    console.log(`fault injection: ${tally.refused} refused, ${tally.harmless} harmless of ${CASES}`);
    expect(tally.refused).toBeGreaterThan(CASES / 2);
  });
});
