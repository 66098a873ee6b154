// The form's field builders: one field per option descriptor (a select grouped by task for the loss, a select, a
// checkbox or a text input, each with its error line), and where a group's fields go on the page: the essentials
// at the top (the loss), the Model and Training groups under "More options", rarely changed ones one level deeper.
import { PENALTIES, type PenaltyKind } from '../../core/penalties';
import type { OptionDescriptor } from '../../core/options';
import { fieldLabel, lossGroups, TASK_LABEL } from './settings';
import { byId, h } from '../views';

/** Suggestions offered on the batch field. */
const DATALISTS: Record<string, string> = { batch: 'batch-sizes' };

/** The options shown at the top, beside the dataset, the target and the backend. */
export const ESSENTIAL = new Set(['loss']);

/** A field for one option: a select, a checkbox or a text input, with its error line. */
export function optionField(o: OptionDescriptor): HTMLElement {
  const error = h('p', { class: 'error', id: `${o.name}-error` });
  if (o.type === 'boolean') {
    return h('div', { class: 'field wide', 'data-option': o.name },
      h('label', { class: 'check', title: o.help }, h('input', { type: 'checkbox', id: o.name, 'aria-describedby': `${o.name}-error`, ...(o.default ? { checked: '' } : {}) }), ` ${fieldLabel(o)}`), error);
  }
  let control: HTMLElement;
  if (o.type === 'choice') {
    const groups = o.name === 'loss'
      ? lossGroups().map((g) => h('optgroup', { label: TASK_LABEL[g.task] }, ...g.losses.map((l) => h('option', { value: l.value }, l.label))))
      : o.choices.map((c) => h('option', { value: c }, o.name === 'penalty' ? PENALTIES[c as PenaltyKind].title : c));
    control = h('select', { id: o.name, 'aria-describedby': `${o.name}-error`, title: o.help }, ...groups);
    (control as HTMLSelectElement).value = o.default;
  } else {
    const value = o.default === Infinity && o.infinity ? o.infinity : String(o.default);
    control = h('input', {
      type: 'text', id: o.name, value, title: o.help, inputmode: o.type === 'integer' && !o.infinity ? 'numeric' : 'decimal',
      'aria-describedby': `${o.name}-error`, ...(DATALISTS[o.name] ? { list: DATALISTS[o.name] } : {}),
    });
  }
  return h('div', { class: `field${o.type === 'choice' ? ' wide' : ''}`, 'data-option': o.name }, h('label', { for: o.name }, fieldLabel(o)), control, error);
}

/**
 * Where an option's field goes: the essentials at the top; else `#<group>-options` (Model, Training), or a fieldset
 * made for a group the page has not seen before; `more` puts it under the group's "More … options" disclosure.
 */
export function groupContainer(name: string, group: string, more: boolean): HTMLElement {
  if (ESSENTIAL.has(name)) return byId('essential-options');
  const id = group === 'model' || group === 'training' ? `${group}-options` : `${group}-group-options`;
  let main = document.getElementById(id);
  if (!main) {
    main = h('div', { class: 'fields', id });
    const title = group.replace(/^./, (c) => c.toUpperCase());
    byId('train-fields').before(h('fieldset', { id: `${group}-fields` }, h('legend', {}, title), main));
  }
  if (!more) return main;
  let box = document.getElementById(`${id}-more`);
  if (!box) {
    box = h('div', { class: 'fields', id: `${id}-more` });
    main.after(h('details', { class: 'more', id: `${group}-more` }, h('summary', {}, `More ${group} options`), box));
  }
  return box;
}

/** Opens every disclosure around an element (so a field with an error, or one being used, is seen). */
export function revealField(el: Element): void {
  for (let d = el.closest('details'); d; d = d.parentElement?.closest('details') ?? null) d.open = true;
}
