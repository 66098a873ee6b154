// The README's unit tables, made from the registries (each unit's own doc lines), so the documentation cannot drift
// from the code: test/core/readme.test.ts checks the README's marked blocks against these and `npm run docs` writes them.
import { LOSS_NAMES, LOSSES } from './losses';
import { OPTIMIZER_NAMES, OPTIMIZERS } from './optim';
import { PENALTY_NAMES, PENALTIES } from './penalties';

const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** The README's unit tables, by the name of their marker (`<!-- units:NAME -->` … `<!-- /units:NAME -->`). */
export function unitTables(): Record<'losses' | 'penalties' | 'optimizers', string> {
  return {
    losses: table(['loss', 'task', 'objective per row', 'dL/dz', 'when to use it'],
      LOSS_NAMES.map((n) => [`\`${n}\``, LOSSES[n].task, LOSSES[n].doc.objective, LOSSES[n].doc.gradient, LOSSES[n].doc.use])),
    penalties: table(['penalty', 'term', 'how a step applies it', 'when to use it'],
      PENALTY_NAMES.map((n) => [`\`${n}\``, PENALTIES[n].doc.objective, PENALTIES[n].doc.step, PENALTIES[n].doc.use])),
    optimizers: table(['optimizer', 'rule', 'options', 'when to use it'],
      OPTIMIZER_NAMES.map((n) => {
        const u = OPTIMIZERS[n];
        return [`\`${n}\``, u.doc.rule, u.options.map((o) => `\`--${o.name}\``).join(', ') || '—', u.doc.use];
      })),
  };
}

/** Text with each marked block replaced by its table; throws when a marker is missing. */
export function withUnitTables(text: string): string {
  let out = text;
  for (const [name, body] of Object.entries(unitTables())) {
    const re = new RegExp(`(<!-- units:${name} -->\\n)[\\s\\S]*?(\\n<!-- /units:${name} -->)`);
    if (!re.test(out)) throw new Error(`README: the marker <!-- units:${name} --> … <!-- /units:${name} --> is missing`);
    out = out.replace(re, (_m, open: string, close: string) => `${open}${body}${close}`);
  }
  return out;
}
