/**
 * Review rounds: the revision rate per round (a chart against the bank's threshold) and per
 * reviewer, the open round with each reviewer's decision form, the items waiting for their
 * author's revision, and the coordinator's open and close.
 */
import { api, ApiError } from './api.js';
import { h, replace, type Child } from './dom.js';
import { notice, state } from './shared.js';

interface ItemView {
  id: string;
  file?: string;
  topic?: string;
  depth?: number;
  status?: string | null;
  drafted?: boolean;
  source?: string | null;
  prompt?: string;
  entries?: { id: string; kind: string; text: string; score: number; variant: string | null }[];
  missing?: boolean;
}

interface RoundsView {
  me: string;
  history: string;
  threshold: number;
  perItem: number;
  rounds: { round: number; items: number; withRequests: number; rate: number | null; threshold: number; passed: boolean | null; admitted: number; reviewers: number }[];
  reviewers: { reviewer: string; decisions: number; revisionRequests: number; rate: number; rounds: number[] }[];
  open: null | { round: number; missing: string[]; items: (ItemView & { authors: string[]; reviewers: string[]; decisions: { reviewer: string; decision: 'accept' | 'revise' | 'hidden' | null; comments: { entry?: string; text: string }[] }[] })[] };
  items: (ItemView & { item: string; status: string; round: number; openRequests: { round: number; reviewer: string; comments: { entry?: string; text: string }[] }[]; revisions: number })[];
  candidates: ItemView[];
  candidateProblem: string | null;
  graders: { name: string; role: string }[];
  drafts: ItemView[];
}

const pct = (x: number | null) => (x === null ? 'open' : `${(x * 100).toFixed(1)}%`);
const editHref = (i: ItemView) => `#/item/${encodeURIComponent(i.file ?? '')}/${encodeURIComponent(i.id)}`;
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Bars of the revision rate per closed round, with the threshold as a line. */
function rateChart(rounds: RoundsView['rounds'], threshold: number): Child {
  const closed = rounds.filter((r) => r.rate !== null);
  if (closed.length === 0) return h('p', { class: 'muted' }, 'No round closed yet.');
  const width = 60 + closed.length * 70;
  const height = 180;
  const top = Math.max(threshold * 2, ...closed.map((r) => r.rate!), 0.1);
  const y = (v: number) => 20 + (height - 50) * (1 - v / top);
  const chart = svg('svg', { id: 'rate-chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'revision rate per round' });
  closed.forEach((r, i) => {
    const x = 50 + i * 70;
    chart.append(
      // A 0% round still shows a sliver of bar.
      svg('rect', { x, y: Math.min(y(r.rate!), y(0) - 2), width: 40, height: Math.max(y(0) - y(r.rate!), 2), class: r.passed ? 'bar passed' : 'bar' }),
      svg('text', { x: x + 20, y: y(r.rate!) - 4, 'text-anchor': 'middle', class: 'label' }, pct(r.rate)),
      svg('text', { x: x + 20, y: height - 12, 'text-anchor': 'middle', class: 'label' }, `round ${r.round}`),
    );
  });
  chart.append(svg('line', { x1: 40, x2: width - 5, y1: y(threshold), y2: y(threshold), class: 'threshold' }), svg('text', { x: 2, y: y(threshold) + 4, class: 'label' }, pct(threshold)));
  return chart;
}

const act = (fn: () => Promise<unknown>, root: HTMLElement) => async () => {
  try {
    await fn();
    await roundsView(root);
  } catch (err) {
    notice('error', err instanceof ApiError ? err.message : String(err));
  }
};

function itemSummary(i: ItemView): Child {
  return [
    h('div', { class: 'meta' }, `${i.topic ?? ''} · depth ${i.depth ?? ''} · ${i.status ?? 'no status'}`, i.drafted && h('span', { class: 'tag' }, i.source ?? 'drafted'), ' · ', h('a', { href: editHref(i) }, 'open in the editor')),
    i.prompt && h('div', { class: 'prompt' }, i.prompt),
    i.entries && h('ul', { class: 'review-entries' }, i.entries.map((e) => h('li', {}, h('code', {}, e.id), ` ${e.kind}${e.score ? ` ${e.score > 0 ? '+' : ''}${e.score}` : ''}${e.variant ? ` (${e.variant})` : ''}: ${e.text}`))),
  ];
}

function decisionForm(root: HTMLElement, item: NonNullable<RoundsView['open']>['items'][number], round: number): HTMLElement {
  const rows = h('div', { class: 'comments' });
  const addComment = () =>
    rows.append(
      h(
        'div',
        { class: 'comment-row' },
        h('select', { class: 'comment-entry' }, h('option', { value: '' }, 'the item as a whole'), (item.entries ?? []).map((e) => h('option', { value: e.id }, e.id))),
        h('input', { class: 'comment-text', placeholder: 'what is wrong and what to change' }),
      ),
    );
  addComment();
  const send = (decision: 'accept' | 'revise') =>
    act(async () => {
      const comments = [...rows.querySelectorAll('.comment-row')]
        .map((row) => ({ entry: (row.querySelector('.comment-entry') as HTMLSelectElement).value, text: (row.querySelector('.comment-text') as HTMLInputElement).value.trim() }))
        .filter((c) => c.text)
        .map((c) => (c.entry ? c : { text: c.text }));
      await api('/rounds/decide', { item: item.id, decision, comments });
      notice('ok', `${decision === 'accept' ? 'Accepted' : 'Revision requested for'} ${item.id} in round ${round}.`);
    }, root);
  return h(
    'div',
    { class: 'decide', 'data-decide': item.id },
    rows,
    h('button', { type: 'button', class: 'small', 'on:click': addComment }, 'another comment'),
    h('button', { type: 'button', class: 'accept', 'on:click': send('accept') }, 'Accept'),
    h('button', { type: 'button', class: 'revise', 'on:click': send('revise') }, 'Request revision'),
  );
}

export async function roundsView(root: HTMLElement): Promise<void> {
  const view = await api<RoundsView>('/rounds');
  const coordinator = state.me?.grader.role === 'coordinator';
  const open = view.open;
  const waiting = view.items.filter((i) => i.status === 'awaiting-revision');
  const perItem = h('input', { id: 'per-item', type: 'number', min: 1, max: 20, value: view.perItem });
  const pick = (name: string, value: string, checked: boolean, label: Child) => h('label', { class: 'pick' }, h('input', { type: 'checkbox', name, value, checked }), label);
  const chosen = (name: string) => [...root.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((i) => i.value);

  replace(
    root,
    h('h2', {}, 'Review rounds'),
    h('p', {}, `An item is admitted when its round's revision rate (items with a revision request / items reviewed) is below ${pct(view.threshold)} and nobody asked to revise it. History: ${view.history} · `, h('a', { href: '/api/rounds/export', download: 'review-history.jsonl', id: 'export-history' }, 'export')),
    rateChart(view.rounds, view.threshold),
    h(
      'table',
      { id: 'round-rates' },
      h('tr', {}, ['round', 'items', 'reviewers', 'with a request', 'revision rate', 'threshold', 'outcome'].map((t) => h('th', {}, t))),
      view.rounds.map((r) => h('tr', { 'data-round': r.round }, h('td', {}, r.round), h('td', {}, r.items), h('td', {}, r.reviewers), h('td', {}, r.withRequests), h('td', { class: 'rate' }, pct(r.rate)), h('td', {}, pct(r.threshold)), h('td', { class: 'outcome' }, r.passed === null ? 'open' : r.passed ? `passed, ${r.admitted} admitted` : 'not passed'))),
    ),
    view.reviewers.length > 0 &&
      h(
        'table',
        { id: 'reviewer-rates' },
        h('tr', {}, ['reviewer', 'decisions', 'revision requests', 'rate', 'rounds'].map((t) => h('th', {}, t))),
        view.reviewers.map((r) => h('tr', {}, h('td', {}, r.reviewer), h('td', {}, r.decisions), h('td', {}, r.revisionRequests), h('td', {}, pct(r.rate)), h('td', {}, r.rounds.join(', ')))),
      ),
    open
      ? h(
          'section',
          { id: 'open-round' },
          h('h3', {}, `Round ${open.round} is open`, open.missing.length ? ` · waits for ${open.missing.length} decisions` : ' · every decision is in'),
          coordinator && h('button', { type: 'button', id: 'close-round', 'on:click': act(async () => {
            const closed = await api<{ round: RoundsView['rounds'][number] }>('/rounds/close', {});
            notice('ok', `Round ${open.round} closed: revision rate ${pct(closed.round.rate)}, ${closed.round.passed ? `${closed.round.admitted} admitted` : 'not passed'}.`);
          }, root) }, 'Close the round'),
          open.items.map((item) =>
            h(
              'div',
              { class: 'review-item', 'data-item': item.id },
              h('h4', {}, item.id),
              itemSummary(item),
              h('ul', { class: 'decisions' }, item.decisions.map((d) => h('li', {}, `${d.reviewer}: ${d.decision === 'hidden' ? 'decided (shown once you decide)' : (d.decision ?? 'waiting')}`, d.comments.map((c) => h('div', { class: 'comment' }, `${c.entry ? `${c.entry}: ` : ''}${c.text}`))))),
              item.reviewers.includes(view.me) && decisionForm(root, item, open.round),
            ),
          ),
        )
      : coordinator &&
          h(
            'section',
            { id: 'new-round' },
            h('h3', {}, 'Open the next round'),
            view.candidateProblem && h('p', { class: 'error' }, view.candidateProblem),
            view.candidates.length === 0 ? h('p', { class: 'muted' }, 'No item waits for review: drafts and revised items enter here.') : h('div', { class: 'picks' }, view.candidates.map((i) => pick('round-item', i.id, true, `${i.id}${i.drafted ? ' (drafted)' : ''}`))),
            h('p', {}, 'Reviewers (never an item\'s author): ', view.graders.map((g) => pick('round-reviewer', g.name, g.role !== 'coordinator', g.name))),
            h('label', {}, 'reviewers per item ', perItem),
            h('button', { type: 'button', id: 'open-round-button', disabled: view.candidates.length === 0, 'on:click': act(() => api('/rounds/open', { items: chosen('round-item'), reviewers: chosen('round-reviewer'), perItem: Number(perItem.value) }), root) }, 'Open round'),
          ),
    h('h3', {}, `Waiting for a revision (${waiting.length})`),
    waiting.map((item) => {
      const note = h('input', { class: 'revise-note', placeholder: 'what you changed' });
      return h(
        'div',
        { class: 'review-item awaiting', 'data-item': item.item },
        h('h4', {}, item.item),
        itemSummary(item),
        h('ul', { class: 'requests' }, item.openRequests.flatMap((r) => r.comments.map((c) => h('li', {}, `${r.reviewer} (round ${r.round})${c.entry ? ` on ${c.entry}` : ''}: ${c.text}`)))),
        note,
        h('button', { type: 'button', class: 'mark-revised', 'on:click': act(() => api('/rounds/revise', { item: item.item, note: note.value }), root) }, 'Revised: send to the next round'),
      );
    }),
    view.drafts.length > 0 && [h('h3', {}, `Drafts (${view.drafts.length})`), h('ul', { id: 'drafts' }, view.drafts.map((d) => h('li', {}, h('a', { href: editHref(d) }, d.id), d.drafted ? ` · ${d.source}` : '')))],
  );
}
