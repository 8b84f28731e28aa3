/** A physician answers the bank's items: each form (clean, distracted, multi-turn turn by turn), written to a run folder. */
import { api, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { notice, question } from './shared.js';

export async function respondList(root: HTMLElement): Promise<void> {
  const { run, forms } = await api<{ run: string; forms: { item: string; topic: string; depth: number; variant: string; kind: string; turns: number; answered: number }[] }>('/respond');
  replace(
    root,
    h('h2', {}, 'Answer items yourself'),
    h('p', {}, `Your answers go to the run folder ${run} as your own respondent; score them with caps score like any model.`),
    h(
      'table',
      { id: 'forms' },
      h('tr', {}, ['item', 'topic', 'depth', 'form', 'answered'].map((t) => h('th', {}, t))),
      forms.map((f) => h('tr', {}, h('td', {}, h('a', { href: `#/respond/${encodeURIComponent(f.item)}/${encodeURIComponent(f.variant)}` }, f.item)), h('td', {}, f.topic), h('td', {}, f.depth), h('td', {}, `${f.variant} (${f.kind})`), h('td', {}, `${f.answered} of ${f.turns} turn${f.turns === 1 ? '' : 's'}`))),
    ),
  );
}

export async function respondForm(root: HTMLElement, item: string, variant: string): Promise<void> {
  const path = `/respond/${encodeURIComponent(item)}/${encodeURIComponent(variant)}`;
  const form = await api<{ turn: number; lastTurn: number; finished: boolean; kind: string; messages: { role: string; content: string }[]; answer: string }>(path);
  const text = h('textarea', { id: 'respond-text', rows: 12, placeholder: 'your answer (Ctrl+Enter to save)' }, form.answer);
  const save = async () => {
    try {
      const saved = await api<{ next: number | null }>(path, { turn: form.turn, text: text.value });
      notice('ok', saved.next === null ? 'Answer saved.' : `Turn ${form.turn} saved; the patient answers.`);
      await respondForm(root, item, variant);
    } catch (err) {
      notice('error', err instanceof ApiError ? err.message : String(err));
    }
  };
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.ctrlKey) void save();
  });
  replace(
    root,
    h('h2', {}, `Item ${item} · ${variant}${form.lastTurn ? ` · turn ${form.turn} of ${form.lastTurn}` : ''}`),
    question(form.messages),
    form.finished && h('p', { class: 'ok' }, 'Answered. You can change your last answer and save again.'),
    text,
    h('button', { id: 'respond-save', 'on:click': () => void save() }, 'Save answer'),
    h('p', {}, h('a', { href: '#/respond' }, 'all items')),
  );
  text.focus();
}
