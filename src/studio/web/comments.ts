/** The comments page: every grader's notes on answers and rubric entries (a physician sees their own), newest first, each opening its answer. */
import { api } from './api.js';
import { h, replace } from './dom.js';
import { state } from './shared.js';

interface Row {
  id: number;
  answer: number;
  item: string;
  variant: string;
  turn: number;
  entry: string | null;
  grader: string;
  text: string;
  at: string;
}

export async function commentsView(root: HTMLElement, offset = 0): Promise<void> {
  const { comments, everyone, page } = await api<{ comments: Row[]; everyone: boolean; page: number }>(`/comments?offset=${offset}`);
  // Seniors and coordinators open the answer with every grader's labels; a physician opens it in their own queue.
  const link = (r: Row) => (state.me?.grader.role === 'physician' ? `/grade/${r.answer}` : `#/unit/${r.answer}${r.entry ? `/${encodeURIComponent(r.entry)}` : ''}`);
  const filter = h('input', { id: 'comment-filter', type: 'search', placeholder: 'filter by text, grader, item or entry', autocomplete: 'off' });
  const rows = comments.map((r) =>
    h(
      'tr',
      { 'data-comment': r.id },
      h('td', {}, r.at.slice(0, 16).replace('T', ' ')),
      h('td', {}, r.grader),
      h('td', {}, h('a', { href: link(r), class: 'open-answer' }, `#${r.answer}`)),
      h('td', {}, `${r.item} · ${r.variant}${r.turn ? ` turn ${r.turn}` : ''}`),
      h('td', {}, r.entry ?? 'whole answer'),
      h('td', { class: 'comment-text' }, r.text),
    ),
  );
  filter.addEventListener('input', () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const row of rows) row.hidden = !words.every((w) => row.textContent!.toLowerCase().includes(w));
  });
  replace(
    root,
    h('h2', {}, everyone ? 'Comments' : 'Your comments'),
    h('p', {}, comments.length === 0 && offset === 0 ? 'No comments yet. While grading, press c to comment on the current rubric entry.' : `Newest first${offset ? `, from the ${offset + 1}th` : ''}.`),
    filter,
    h('table', { id: 'comments' }, h('tr', {}, ['when', 'who', 'answer', 'item', 'entry', 'comment'].map((t) => h('th', {}, t))), rows),
    h('p', {}, offset > 0 && h('button', { 'on:click': () => commentsView(root, Math.max(0, offset - page)) }, 'newer'), comments.length === page && h('button', { 'on:click': () => commentsView(root, offset + page) }, 'older')),
  );
}
