// Checkpoints are verified before they are trusted (src/train/checkpoint.ts): a sealed file round-trips exactly; any
// changed byte breaks the checksum; truncation is invalid JSON; and a file whose checksum was recomputed after an
// edit (or an old version-1 file, which has none) is still checked field by field — each refusal names the file and
// the field.
import { describe, expect, it } from 'vitest';
import { sealed } from '../../src/core/checksum';
import { CpuBackend } from '../../src/cpu/backend';
import { linearDataset } from '../../src/data/synthetic';
import { checkResumable, parseCheckpoint, serializeCheckpoint, type Checkpoint } from '../../src/train/checkpoint';
import { train } from '../../src/train/train';

const data = linearDataset({ rows: 300, features: 3, noise: 0.1, seed: 9 });

async function checkpointText(): Promise<string> {
  let last: Checkpoint | null = null;
  await train(new CpuBackend(), data, {
    epochs: 3, batch: 50, lr: 0.05, optimizer: 'adam', average: true, checkpointSteps: 8, onCheckpoint: async (c) => void (last = c),
  });
  return serializeCheckpoint(last!);
}

/** The text after an edit, resealed as an editor that recomputes the checksum would. */
function edited(text: string, edit: (o: Record<string, any>) => void): string {
  const { checksum: _c, ...o } = JSON.parse(text) as Record<string, any>;
  edit(o);
  return JSON.stringify(sealed(o));
}

describe('checkpoint files', async () => {
  const text = await checkpointText();

  it('round-trip exactly (a parsed checkpoint serializes to the same text)', () => {
    expect(serializeCheckpoint(parseCheckpoint(text, 'c.json'))).toBe(text);
  });

  it('refuse any changed byte (checksum) and any truncation (invalid JSON), naming the file — or read the same values', () => {
    for (let i = 0; i < text.length; i += Math.max(1, Math.floor(text.length / 150))) {
      const c = text.charCodeAt(i);
      const changed = text.slice(0, i) + String.fromCharCode(c === 0x30 ? 0x31 : c === 0x7b ? 0x5b : c ^ 1) + text.slice(i + 1);
      let read: Checkpoint | null = null;
      try {
        read = parseCheckpoint(changed, 'c.json');
      } catch (e) {
        expect((e as Error).message, `byte ${i}`).toMatch(/^c\.json: /);
      }
      // A 17th significant digit can change without changing the double it spells: the same checkpoint, harmless.
      if (read) expect(serializeCheckpoint(read), `byte ${i} was accepted, so it must read the same values`).toBe(text);
    }
    for (const n of [0, 1, 10, Math.floor(text.length / 2), text.length - 1]) expect(() => parseCheckpoint(text.slice(0, n), 'c.json')).toThrow(/c\.json: not a checkpoint .*truncated/);
  });

  it('name the field of a resealed hand edit: a null weight, a negative epoch, an impossible step, NaN state', () => {
    const cases: [(o: Record<string, any>) => void, RegExp][] = [
      [(o) => (o.params.weights[1] = null), /field "params\.weights\[1\]" must be a finite number, got null/],
      [(o) => (o.epoch = -3), /field "epoch" must be a whole number from 0 to 3, got -3/],
      [(o) => (o.step = 999999999), /field "step" must equal the \d+ batch losses/],
      [(o) => (o.state.slots[0] = 'NaN'), /field "state\.slots\[0\]" must be a finite number/],
      [(o) => o.state.slots.pop(), /field "state\.slots" must hold \d+ numbers/],
      [(o) => (o.run.t += 1), /field "run\.t" must be \d+, the steps of the recorded epochs/],
      [(o) => (o.spec.lr = -1), /field "spec\.lr" is not a valid setting: --lr expects a number > 0/],
      [(o) => (o.version = 7), /field "version" must be 1 or 2/],
    ];
    for (const [edit, want] of cases) expect(() => parseCheckpoint(edited(text, edit), 'c.json')).toThrow(want);
    const { checksum: _c, ...noSeal } = JSON.parse(text) as Record<string, unknown>;
    expect(() => parseCheckpoint(JSON.stringify(noSeal), 'c.json')).toThrow(/field "checksum" is missing/);
    expect(parseCheckpoint(JSON.stringify({ ...noSeal, version: 1 }), 'c.json').step).toBe(parseCheckpoint(text, 'c.json').step);
  });

  it('check what depends on the data when resuming: features, outputs, steps per epoch', () => {
    const c = parseCheckpoint(text, 'c.json');
    expect(() => checkResumable(c, { d: 3, outputs: 1, stepsPerEpoch: 6 })).not.toThrow();
    expect(() => checkResumable(c, { d: 4, outputs: 1, stepsPerEpoch: 6 })).toThrow(/c\.json: field "params\.weights" holds 3 features per output; the data has 4/);
    expect(() => checkResumable(c, { d: 3, outputs: 1, stepsPerEpoch: 1 })).toThrow(/field "(step|epochs\[0\]\.steps)" must be/);
  });
});
