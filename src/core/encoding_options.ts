// The settings of categorical columns as option descriptors, spread into TRAIN_OPTIONS (core/spec.ts): how text
// columns are encoded (one-hot or hashed), which columns are categorical or hashed, the crosses, the hash space and
// the vocabulary's limits. They shape the model's sparse block (core/encoding.ts), so the model file records them;
// the sources that read text columns take them (data/csv_encoded.ts). Lists are comma-separated text.
import { OptionError, type OptionDescriptor } from './options';

/** The encoding fields of a TrainSpec. */
export interface EncodingParams {
  /** How text columns not named in `hashed` become features: one-hot (a vocabulary) or hashing. */
  encoding: 'onehot' | 'hash';
  /** Columns read as categories even where they hold numbers (comma-separated). */
  categorical: string;
  /** Columns hashed whatever `encoding` says (comma-separated). */
  hashed: string;
  /** Pairs of categorical columns hashed together: "a:b,c:d". */
  cross: string;
  /** 2^hashBits buckets for hashed columns and crosses. */
  hashBits: number;
  /** One-hot: levels seen fewer times share the level "other". */
  minCount: number;
  /** One-hot: at most this many levels per column, the rest "other" (0: all, up to LEVEL_LIMIT). */
  maxLevels: number;
}

/** An encoding option: a descriptor and when it applies. */
export type EncodingOption = OptionDescriptor<keyof EncodingParams> & { appliesTo?: (s: EncodingParams) => boolean; group: 'model'; why?: string };

/** Whether a spec hashes anything. */
export const hashes = (s: EncodingParams): boolean => s.encoding === 'hash' || s.hashed.trim() !== '' || s.cross.trim() !== '';

/** The encoding options. */
export const ENCODING_OPTIONS: readonly EncodingOption[] = [
  {
    name: 'encoding', key: 'encoding', type: 'choice', choices: ['onehot', 'hash'], default: 'onehot', group: 'model', label: 'Text columns',
    help: 'how text (categorical) columns become features: one-hot with a vocabulary from a first pass, or feature hashing',
  },
  { name: 'categorical', key: 'categorical', type: 'text', default: '', metavar: 'a,b', group: 'model', help: 'columns read as categories even where they hold numbers' },
  { name: 'hashed', key: 'hashed', type: 'text', default: '', metavar: 'a,b', group: 'model', help: 'columns hashed whatever --encoding says (many or unseen levels)' },
  { name: 'cross', key: 'cross', type: 'text', default: '', metavar: 'a:b', group: 'model', help: 'hash the pair of two categorical columns (as Vowpal Wabbit\'s -q); repeat it or list pairs with commas' },
  {
    name: 'hash-bits', key: 'hashBits', type: 'integer', default: 18, min: 1, max: 30, metavar: 'b', group: 'model', label: 'Hash bits',
    help: '2^b buckets for hashed columns and crosses (MurmurHash3 x86_32)', appliesTo: hashes,
    why: 'it sizes the hash space of --encoding hash, --hashed or --cross',
  },
  {
    name: 'min-count', key: 'minCount', type: 'integer', default: 1, min: 1, metavar: 'n', group: 'model', label: 'Minimum level count',
    help: 'one-hot: levels seen fewer than n times share the level "other"', appliesTo: (s) => s.encoding === 'onehot', why: 'it is for one-hot columns (--encoding onehot)',
  },
  {
    name: 'max-levels', key: 'maxLevels', type: 'integer', default: 0, min: 0, metavar: 'm', group: 'model', label: 'Most levels per column (0 = all)',
    help: 'one-hot: keep the m most frequent levels of a column, the rest share "other" (0: all, up to 65536)', appliesTo: (s) => s.encoding === 'onehot',
    why: 'it is for one-hot columns (--encoding onehot)',
  },
];

/** The columns of a comma-separated list. */
export function columnList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** The crosses of a spec's `cross` text: pairs "a:b"; anything else is an OptionError. */
export function crossPairs(text: string): [string, string][] {
  return columnList(text).map((p) => {
    const parts = p.split(':').map((s) => s.trim());
    if (parts.length !== 2 || !parts[0] || !parts[1] || parts[0] === parts[1]) {
      throw new OptionError('cross', `--cross expects pairs of two different columns written a:b, got "${p}"`);
    }
    return [parts[0], parts[1]];
  });
}

/** The encoding settings of a spec (what the text-column readers take). */
export function encodingParams(s: EncodingParams): EncodingParams {
  const { encoding, categorical, hashed, cross, hashBits, minCount, maxLevels } = s;
  return { encoding, categorical, hashed, cross, hashBits, minCount, maxLevels };
}

/** Whether the settings ask for categorical columns (otherwise only text found in the data makes any). */
export function asksForCategories(s: EncodingParams): boolean {
  return columnList(s.categorical).length > 0 || columnList(s.hashed).length > 0 || columnList(s.cross).length > 0;
}
