/**
 * A form over plain data: a list of field descriptions renders inputs bound to an object,
 * so that the item editor is a description of the bank format rather than hand-built
 * markup. An emptied input removes its key (the YAML keeps only what the author wrote);
 * adding or removing a list element redraws the form, typing does not (focus stays).
 */
import { h, type Child } from './dom.js';

type Data = Record<string, any>;

export type Field =
  | { key: string; label: string; kind: 'text' | 'textarea' | 'number' | 'lines' | 'phrases' | 'regex'; hint?: string }
  | { key: string; label: string; kind: 'bool'; default: boolean; hint?: string }
  | { key: string; label: string; kind: 'select'; options: (parent: Data) => (string | [string, string])[]; redraw?: boolean; numeric?: boolean; hint?: string }
  | { key: string; label: string; kind: 'object'; fields: Field[]; required?: boolean; hint?: string }
  | { key: string; label: string; kind: 'list'; fields: Field[]; make: () => Data; noun: string; hint?: string }
  | { key: string; label: string; kind: 'prompt'; hint?: string };

export interface FormHooks {
  /** A value changed. */
  changed(): void;
  /** The shape changed (an element added or removed, a choice that changes other fields): draw again. */
  redraw(): void;
}

const MESSAGE_FIELDS: Field[] = [
  { key: 'role', label: 'role', kind: 'select', options: () => ['system', 'user', 'assistant'] },
  { key: 'content', label: 'content', kind: 'textarea' },
];

function setOrDelete(parent: Data, key: string, value: unknown): void {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) delete parent[key];
  else parent[key] = value;
}

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

function input(field: Field, parent: Data, path: string, hooks: FormHooks): Child {
  const value = parent[field.key];
  const attrs = { 'data-path': path, id: `f-${path.replace(/[^A-Za-z0-9_-]/g, '-')}` };
  switch (field.kind) {
    case 'text':
      return h('input', { ...attrs, value: value ?? '', 'on:input': (e) => (setOrDelete(parent, field.key, (e.target as HTMLInputElement).value), hooks.changed()) });
    case 'textarea':
      return h('textarea', { ...attrs, rows: 3, 'on:input': (e) => (setOrDelete(parent, field.key, (e.target as HTMLTextAreaElement).value), hooks.changed()) }, value ?? '');
    case 'number':
      return h('input', {
        ...attrs,
        type: 'text',
        inputmode: 'decimal',
        value: value ?? '',
        'on:input': (e) => {
          const text = (e.target as HTMLInputElement).value.trim();
          // Not a number: kept as text, so lint says what is wrong with it, in its words.
          setOrDelete(parent, field.key, text === '' ? undefined : Number.isFinite(Number(text)) ? Number(text) : text);
          hooks.changed();
        },
      });
    case 'lines':
    case 'phrases':
    case 'regex': {
      const shown = Array.isArray(value) ? value.map((v) => (Array.isArray(v) ? v.join(' | ') : String(v))).join('\n') : (value ?? '');
      return h(
        'textarea',
        {
          ...attrs,
          rows: 2,
          'on:input': (e) => {
            const rows = lines((e.target as HTMLTextAreaElement).value);
            const parsed = field.kind === 'phrases' ? rows.map((r) => (r.includes('|') ? r.split('|').map((s) => s.trim()).filter(Boolean) : r)) : rows;
            setOrDelete(parent, field.key, field.kind === 'regex' && parsed.length === 1 ? parsed[0] : parsed);
            hooks.changed();
          },
        },
        shown,
      );
    }
    case 'bool': {
      const had = field.key in parent;
      return h('input', {
        ...attrs,
        type: 'checkbox',
        checked: (value ?? field.default) === true,
        'on:change': (e) => {
          const checked = (e.target as HTMLInputElement).checked;
          if (had || checked !== field.default) parent[field.key] = checked;
          else delete parent[field.key];
          hooks.changed();
        },
      });
    }
    case 'select': {
      const options = field.options(parent).map((o) => (Array.isArray(o) ? o : [o, o]));
      if (value !== undefined && !options.some(([v]) => v === String(value))) options.push([String(value), `${value} (not offered)`]);
      return h(
        'select',
        {
          ...attrs,
          'on:change': (e) => {
            const chosen = (e.target as HTMLSelectElement).value;
            setOrDelete(parent, field.key, chosen === '' ? undefined : field.numeric ? Number(chosen) : chosen);
            if (field.redraw) hooks.redraw();
            else hooks.changed();
          },
        },
        h('option', { value: '' }, '—'),
        options.map(([v, label]) => h('option', { value: v, selected: String(value ?? '') === v }, label)),
      );
    }
    case 'prompt': {
      if (Array.isArray(value)) return list({ key: field.key, label: field.label, kind: 'list', fields: MESSAGE_FIELDS, make: () => ({ role: 'user', content: '' }), noun: 'message' }, parent, path, hooks);
      return h(
        'div',
        {},
        h('textarea', { ...attrs, rows: 4, 'on:input': (e) => (setOrDelete(parent, field.key, (e.target as HTMLTextAreaElement).value), hooks.changed()) }, value ?? ''),
        h('button', { type: 'button', class: 'small', 'on:click': () => ((parent[field.key] = [{ role: 'user', content: value ?? '' }]), hooks.redraw()) }, 'as a message list'),
      );
    }
    case 'object': {
      if (value === undefined && !field.required) {
        return h('button', { type: 'button', class: 'small add', 'data-add': path, 'on:click': () => ((parent[field.key] = {}), hooks.redraw()) }, `add ${field.label}`);
      }
      if (value === undefined) parent[field.key] = {};
      return h(
        'fieldset',
        { 'data-group': path },
        h('legend', {}, field.label, !field.required && h('button', { type: 'button', class: 'small remove', 'on:click': () => (delete parent[field.key], hooks.redraw()) }, 'remove')),
        fields(field.fields, parent[field.key], path, hooks),
      );
    }
    case 'list':
      return list(field, parent, path, hooks);
  }
}

function list(field: Extract<Field, { kind: 'list' }>, parent: Data, path: string, hooks: FormHooks): Child {
  const items: Data[] = Array.isArray(parent[field.key]) ? parent[field.key] : [];
  return h(
    'div',
    { class: 'list', 'data-list': path },
    items.map((element, i) =>
      h(
        'fieldset',
        { class: 'element', 'data-element': `${path}.${i}` },
        h('legend', {}, `${field.noun} ${i + 1}${element?.id ? ` · ${element.id}` : ''}`, h('button', { type: 'button', class: 'small remove', 'on:click': () => (items.splice(i, 1), setOrDelete(parent, field.key, items), hooks.redraw()) }, 'remove')),
        typeof element === 'object' && element !== null ? fields(field.fields, element, `${path}.${i}`, hooks) : h('p', { class: 'error' }, `not an object: ${JSON.stringify(element)}`),
      ),
    ),
    h('button', { type: 'button', class: 'small add', 'data-add': path, 'on:click': () => ((parent[field.key] = [...items, field.make()]), hooks.redraw()) }, `add ${field.noun}`),
  );
}

export function fields(list: Field[], data: Data, prefix: string, hooks: FormHooks): HTMLElement[] {
  return list.map((field) => {
    const path = prefix ? `${prefix}.${field.key}` : field.key;
    const wide = field.kind === 'object' || field.kind === 'list' || (field.kind === 'prompt' && Array.isArray(data[field.key]));
    return h('div', { class: `field field-${field.kind}${wide ? ' wide' : ''}` }, h('label', { for: `f-${path.replace(/[^A-Za-z0-9_-]/g, '-')}` }, field.label, field.hint && h('span', { class: 'hint' }, field.hint)), input(field, data, path, hooks));
  });
}
