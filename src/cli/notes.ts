// What the CLI says about the data it reads, on stderr: readers' notes (text columns read as categorical, ignored
// qid: tokens) and the sparse block in words.
import type { Encoding } from '../core/encoding';

/** Prints a reader's note on stderr. */
export function note(message: string): void {
  process.stderr.write(`downhill: note: ${message}\n`);
}

/** The sparse block of a columns encoding in words: "one-hot origin (312 levels), hashed user (2^18), 1 cross". */
export function encodingWords(e: Encoding): string {
  const parts = e.categorical.map((c) => (c.kind === 'onehot' ? `one-hot ${c.name} (${c.levels!.length} levels + other)` : `hashed ${c.name}`));
  if (e.crosses.length) parts.push(`${e.crosses.length} cross${e.crosses.length > 1 ? 'es' : ''} ${e.crosses.map((p) => p.join(':')).join(', ')}`);
  if (e.hash) parts.push(`2^${e.hash.bits} hash buckets`);
  return parts.join(', ');
}
