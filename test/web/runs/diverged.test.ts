// "Diverged" in the page's words, from the engine's DivergedError (in the page, or rebuilt with its fields from the
// CPU worker's message) or from its text alone: the epoch, how the loss grew, a concrete safer learning rate,
// Standardize when it helps, and the column to rescale when values overflow — never a CLI flag.
import { describe, expect, it } from 'vitest';
import { DivergedError } from '../../../src/train/health';
import { divergedText, divergenceOf, lossText } from '../../../src/web/runs/diverged';
import { fromErrorMessage, toErrorMessage } from '../../../src/web/runs/protocol';

const spec = { lr: 0.05, standardize: false };

describe('divergenceOf and divergedText', () => {
  it('read the engine’s DivergedError: epoch, loss, the suggested rate', () => {
    const e = new DivergedError({
      epoch: 2, loss: 3.01e17, lr: 0.05, suggestedLr: 0.012, reason: 'learning-rate',
      what: 'mean batch loss 3.01e+17, up from 2.11e+9', advice: 'the learning rate 0.05 is too large; try --lr 0.012',
    });
    const d = divergenceOf(e)!;
    expect(d).toMatchObject({ epoch: 2, loss: 3.01e17, suggested: 0.012, reason: 'learning-rate' });
    const text = divergedText(d, spec, [2.11e9]);
    expect(text).toBe('Diverged in epoch 2: the loss grew from 2.11e9 to 3.01e17 instead of falling. ' +
      'The learning rate 0.05 is too large for this data: try 0.012, or turn on “Standardize features”.');
    expect(text).not.toMatch(/--/);
  });

  it('read the same facts from the message alone (errors from the CPU worker)', () => {
    const message = 'training diverged in epoch 5 (mean batch loss Infinity): the learning rate 0.05 is too large for this data\'s scale; try --lr 0.0078 ' +
      'or standardize the features (--standardize: their mean squares differ by 1e+6×)';
    const d = divergenceOf(new Error(message))!;
    expect(d).toMatchObject({ epoch: 5, loss: Infinity, suggested: 0.0078, reason: 'scale' });
    expect(divergedText(d, spec, [12, 4000])).toMatch(/^Diverged in epoch 5: the loss grew from 12 to infinity instead of falling\. .* try 0\.0078, and turn on “Standardize features”/);
    expect(divergedText(d, { lr: 0.05, standardize: true }, [])).not.toMatch(/Standardize/);
  });

  it('give the column to rescale when values overflow, and a tenth of the rate when the engine names none', () => {
    const over = divergenceOf(new Error('training diverged in epoch 1 (mean batch loss Infinity): values overflow float32: row 7 (column "price") ' +
      'is 3.00e+20, whose square summed over a batch exceeds float32\'s range (3.4e+38); rescale that column (e.g. divide it by a power of 10)'))!;
    expect(over.reason).toBe('overflow');
    expect(divergedText(over, spec, [])).toMatch(/^Diverged in epoch 1: values overflow float32: row 7 \(column "price"\).*rescale that column/);
    const old = divergenceOf(new Error('training diverged in epoch 44 (mean batch loss NaN): lower the learning rate (--lr 0.03)'))!;
    expect(divergedText(old, { lr: 0.03, standardize: true }, [1, 2])).toBe(
      'Diverged in epoch 44: the loss grew from 1 to NaN instead of falling. The learning rate 0.03 is too large for this data: try 0.003.');
    expect(divergenceOf(new Error('the CPU worker failed'))).toBeNull();
  });

  it('write losses for a sentence', () => {
    expect([lossText(2110000000), lossText(12.345), lossText(Infinity), lossText(0.5), lossText(1e-5)]).toEqual(['2.11e9', '12.3', 'infinity', '0.5', '1e-5']);
  });
});

describe('errors from the CPU worker', () => {
  it('cross structured cloning with their name and fields: an overflow reads as the DivergedError itself', () => {
    const e = new DivergedError({
      epoch: 3, loss: Infinity, lr: 0.1, suggestedLr: null, reason: 'overflow', overflow: { row: 17, column: 'price', value: 3e30 },
      what: 'mean batch loss Infinity', advice: 'values overflow float32: row 17 (column "price") is 3.00e+30',
    });
    const received = fromErrorMessage(structuredClone(toErrorMessage(e)));
    expect(received.name).toBe('DivergedError');
    expect(received.message).toBe(e.message);
    expect(divergenceOf(received)).toEqual(divergenceOf(e));
    expect((received as unknown as { overflow: unknown }).overflow).toEqual({ row: 17, column: 'price', value: 3e30 });
    // A plain error keeps its name and text; a thrown non-Error becomes its text.
    const plain = fromErrorMessage(structuredClone(toErrorMessage(new RangeError('bad batch'))));
    expect([plain.name, plain.message]).toEqual(['RangeError', 'bad batch']);
    expect(fromErrorMessage(toErrorMessage('boom')).message).toBe('boom');
  });
});
