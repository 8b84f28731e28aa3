/**
 * The blind grading page, keyboard first: j/k (or arrows) move between rubric entries,
 * 1/2/3 mark met / not met / cannot judge, s takes the text selected in the answer as the
 * entry's evidence, c writes a comment on the entry, Enter submits, n and p open the next and
 * the previous answer.
 *
 * Every load is asynchronous and a slow machine lets keys arrive meanwhile: a key must
 * never land on an answer that is leaving the screen, nor a late response replace a newer
 * one. So each navigation takes a new number and drops the answer on screen at once, a
 * response renders only if its navigation is still the newest, and keys are ignored while
 * a save is in flight.
 */
import { api, ApiError } from './api.js';
import { h, markedAll, replace, selectionIn, type Marked } from './dom.js';
import { citedSpan, entryHead, evidence, notice, question, state, verdictText, type Answer, type Comment, type ScoredVerdict } from './shared.js';

interface Label {
  met: boolean | null;
  reason?: string;
  span?: { start: number; end: number };
}

interface Loaded extends Answer {
  stage: 'grade' | 'reference';
  base: number;
  labels: { entry: string; met: boolean | null; reason: string | null; span: { start: number; end: number } | null }[];
  comments: Comment[];
  reveal: null | { respondent: string; respondentKind: string; verdicts: ScoredVerdict[] };
}

const visited: number[] = [];
let current: { answer: Loaded; labels: Map<string, Label>; index: number; dirty: boolean; saving: boolean } | null = null;
let navigation = 0;

/** Starts a navigation: the answer on screen stops taking keys and gives way to `message`. */
function leave(root: HTMLElement, message: string): number {
  current = null;
  replace(root, h('p', { class: 'loading', 'aria-busy': 'true' }, message));
  return ++navigation;
}

export async function gradeNext(root: HTMLElement): Promise<void> {
  const mine = leave(root, 'Opening the next answer…');
  const next = await api<{ answer?: number; done?: string }>('/next');
  if (mine !== navigation) return;
  if (next.answer === undefined) {
    const panel = await calibrationPanel();
    if (mine === navigation) replace(root, h('div', { class: 'done' }, h('h2', {}, 'Queue'), h('p', {}, next.done ?? 'nothing to grade'), panel));
    return;
  }
  open(next.answer);
}

/** Opens an answer at its own address (/grade/N), which a reload or a bookmark opens again; the router shows it, as on back and forward. */
function open(id: number): void {
  const path = `/grade/${id}`;
  if (location.pathname !== path || location.hash) history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** The answer the page came with (a grading address carries it), taken once: later opens ask the server. */
function servedAnswer(id: number): Loaded | undefined {
  const block = document.getElementById('answer-data');
  if (!block) return undefined;
  block.remove();
  const answer = JSON.parse(block.textContent!) as Loaded;
  return answer.id === id ? answer : undefined;
}

async function calibrationPanel(): Promise<HTMLElement | null> {
  if (state.me?.grader.role === 'coordinator') return null;
  const c = await api<{ groups: { group: string; n: number; kappa: number | null }[]; graded: number; total: number; threshold: number; admitted: boolean }>('/calibration/me');
  if (c.total === 0) return null;
  return h(
    'div',
    { class: 'calibration', id: 'calibration-result' },
    h('h3', {}, `Calibration: ${c.graded} of ${c.total} answers graded; admitted at kappa ≥ ${c.threshold}`),
    h('p', { class: c.admitted ? 'ok' : '' }, c.admitted ? 'You are admitted to the main queue.' : 'Not admitted yet.'),
    h('table', {}, h('tr', {}, h('th', {}, 'entries'), h('th', {}, 'n'), h('th', {}, 'kappa vs reference')), c.groups.map((g) => h('tr', {}, h('td', {}, g.group), h('td', {}, g.n), h('td', {}, g.kappa === null ? '–' : g.kappa.toFixed(2))))),
  );
}

/** Opens an answer; false when a newer navigation overtook it. `reload` keeps the answer on screen (still locked) until the fresh copy arrives. */
export async function gradeAnswer(root: HTMLElement, id: number, reload = false): Promise<boolean> {
  const mine = reload ? ++navigation : leave(root, `Opening answer #${id}…`);
  const answer = servedAnswer(id) ?? (await api<Loaded>(`/answers/${id}`));
  if (mine !== navigation) return false;
  if (visited[visited.length - 1] !== id) visited.push(id);
  const labels = new Map<string, Label>(answer.labels.map((l) => [l.entry, { met: l.met, ...(l.reason ? { reason: l.reason } : {}), ...(l.span ? { span: l.span } : {}) }]));
  current = { answer, labels, index: 0, dirty: false, saving: false };
  render(root);
  return true;
}

function render(root: HTMLElement): void {
  if (!current) return;
  const { answer, labels, index } = current;
  const entry = answer.rubric[index];
  const done = answer.rubric.filter((e) => labels.has(e.id)).length;
  replace(
    root,
    h(
      'div',
      { class: 'grade', 'data-answer': answer.id },
      h(
        'section',
        { class: 'left' },
        h('div', { class: 'meta' }, answer.calibration && h('span', { class: 'tag calibration' }, answer.stage === 'reference' ? 'calibration reference' : 'calibration'), `item ${answer.item} · depth ${answer.depth} · ${answer.topic} · ${answer.variant}${answer.turn ? ` turn ${answer.turn}` : ''}`),
        question(answer.messages),
        h('h3', {}, 'Answer'),
        h('div', { class: 'answer', id: 'answer' }, markedAll(answer.text, answerMarks(answer, entry.id, labels.get(entry.id)?.span))),
        answer.reveal && revealPanel(root, answer),
      ),
      h(
        'section',
        { class: 'right' },
        h('div', { class: 'progress', id: 'entry-progress' }, `${done} of ${answer.rubric.length} entries labelled`),
        h(
          'ol',
          { class: 'entries' },
          answer.rubric.map((e, i) => {
            const label = labels.get(e.id);
            return h(
              'li',
              { class: `entry${i === index ? ' current' : ''}`, 'data-entry': e.id, 'on:click': () => move(root, i) },
              h('div', { class: 'head' }, entryHead(e)),
              h('div', { class: 'text' }, e.text),
              e.text_en && h('div', { class: 'text-en' }, e.text_en),
              h('div', { class: `verdict v-${verdictText(label?.met).replace(' ', '-')}` }, label ? verdictText(label.met) : 'not labelled'),
              label?.span && h('div', { class: 'quote' }, '“', answer.text.slice(label.span.start, label.span.end), '”'),
              label?.met === null && i === index
                ? h('input', { class: 'reason', id: 'reason', placeholder: 'why it cannot be judged (Enter to keep)', value: label.reason ?? '' })
                : label?.reason && h('div', { class: 'reason-text' }, label.reason),
            );
          }),
        ),
        commentBox(root, entry.id),
        h('p', { class: 'keys' }, 'keys: j/k entry · 1 met · 2 not met · 3 cannot judge · s take selected text as evidence · x clear it · c comment · Enter submit · n next · p previous'),
      ),
    ),
  );
  const reason = document.getElementById('reason') as HTMLInputElement | null;
  if (reason) {
    reason.addEventListener('input', () => {
      current!.labels.set(entry.id, { ...current!.labels.get(entry.id)!, reason: reason.value });
      current!.dirty = true;
    });
    if (!reason.value) reason.focus();
  }
  document.querySelector('.entry.current')?.scrollIntoView({ block: 'nearest' });
}

/** The grader's comments on this answer and a field for a new one on the current entry (Enter saves, Escape leaves). */
function commentBox(root: HTMLElement, entry: string): HTMLElement {
  const field = h('input', { id: 'comment', class: 'comment', placeholder: `comment on ${entry} (c to write, Enter to save)`, autocomplete: 'off' });
  field.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    event.stopPropagation();
    void saveComment(root, entry, field.value);
  });
  return h('div', { class: 'comments' }, h('h3', {}, 'Comments'), current!.answer.comments.map(commentLine), field);
}

export const commentLine = (c: Comment) => h('div', { class: 'comment-line' }, h('span', { class: 'who' }, `${c.grader}${c.entry ? ` on ${c.entry}` : ''} · ${c.at.slice(0, 16).replace('T', ' ')}`), ' ', c.text);

async function saveComment(root: HTMLElement, entry: string, text: string): Promise<void> {
  const on = current;
  if (!on || !text.trim()) return;
  try {
    const { comments } = await api<{ comments: Comment[] }>(`/answers/${on.answer.id}/comments`, { entry, text });
    if (current !== on) return;
    on.answer.comments = comments;
    notice('ok', `Comment on ${entry} saved.`);
    render(root);
  } catch (err) {
    notice('error', err instanceof ApiError ? err.message : String(err));
  }
}

/** The current entry's spans in the answer: the grader's evidence and, once revealed, where the judge's and matchers' evidence stands. */
function answerMarks(answer: Loaded, entry: string, own: Label['span']): Marked[] {
  const verdict = answer.reveal?.verdicts.find((v) => v.entry === entry);
  const cited = (who: 'judge' | 'matcher'): Marked[] => {
    const opinion = verdict?.[who];
    const span = opinion && citedSpan(answer.text, opinion);
    return span ? [{ ...span, cls: `cite cite-${who}`, title: `the ${who}'s evidence for ${entry}` }] : [];
  };
  return [...(own ? [{ ...own, cls: 'span', title: `your evidence for ${entry}` }] : []), ...cited('judge'), ...cited('matcher')];
}

function revealPanel(root: HTMLElement, answer: Loaded): HTMLElement {
  const r = answer.reveal!;
  const opinion = (v: ScoredVerdict, who: 'judge' | 'matcher') => h('td', {}, h('div', {}, verdictText(v[who]?.met)), evidence(v[who], who));
  return h(
    'div',
    { class: 'reveal' },
    h('h3', {}, 'After your submission'),
    h('p', {}, `Respondent: ${r.respondent} (${r.respondentKind}). Choose an entry to see the judge's and matchers' evidence marked in the answer.`),
    h(
      'table',
      {},
      h('tr', {}, h('th', {}, 'entry'), h('th', {}, 'you'), h('th', {}, 'judge'), h('th', {}, 'matcher'), h('th', {}, 'scored')),
      r.verdicts.map((v) => {
        const index = answer.rubric.findIndex((e) => e.id === v.entry);
        return h(
          'tr',
          { 'data-entry': v.entry, class: index === current?.index ? 'current' : '', 'on:click': () => index >= 0 && move(root, index) },
          h('td', {}, v.entry),
          h('td', {}, verdictText(current?.labels.get(v.entry)?.met)),
          opinion(v, 'judge'),
          opinion(v, 'matcher'),
          h('td', {}, `${verdictText(v.met)} (${v.decided_by})`),
        );
      }),
    ),
  );
}

function move(root: HTMLElement, index: number): void {
  if (!current) return;
  current.index = Math.max(0, Math.min(current.answer.rubric.length - 1, index));
  render(root);
}

function mark(root: HTMLElement, met: boolean | null): void {
  if (!current) return;
  const entry = current.answer.rubric[current.index];
  const previous = current.labels.get(entry.id);
  current.labels.set(entry.id, { ...previous, met });
  current.dirty = true;
  const needsSpan = met === true && entry.kind !== 'point' && !previous?.span;
  if (needsSpan) notice('info', `A met ${entry.kind} needs its evidence: select it in the answer and press s.`);
  if (met !== null && !needsSpan) return move(root, current.index + 1);
  render(root);
}

function takeSpan(root: HTMLElement): void {
  if (!current) return;
  const span = selectionIn(document.getElementById('answer')!);
  const entry = current.answer.rubric[current.index];
  if (!span) return notice('info', 'Select the evidence in the answer first, then press s.');
  current.labels.set(entry.id, { met: current.labels.get(entry.id)?.met ?? true, ...current.labels.get(entry.id), span });
  current.dirty = true;
  window.getSelection()?.removeAllRanges();
  notice('ok', `Evidence for ${entry.id}: “${current.answer.text.slice(span.start, span.end)}”`);
  render(root);
}

async function submit(root: HTMLElement): Promise<void> {
  if (!current) return;
  const { answer, labels } = current;
  const missing = answer.rubric.filter((e) => !labels.has(e.id));
  if (missing.length) {
    move(root, answer.rubric.indexOf(missing[0]));
    return notice('error', `Label every entry first (${missing.length} left).`);
  }
  // Keys wait until the save and the reload after it are done: a change made meanwhile would be lost or refused as stale.
  const saving = current;
  saving.saving = true;
  notice('info', 'Saving…');
  try {
    const saved = await api<{ saved: number; base: number; admitted?: boolean }>(`/answers/${answer.id}/labels`, {
      base: answer.base,
      bankHash: answer.bankHash,
      labels: answer.rubric.map((e) => ({ entry: e.id, ...labels.get(e.id)! })),
    });
    saving.dirty = false;
    if (saved.admitted && state.me) state.me.grader.admitted_at = new Date().toISOString();
    const message = `Saved ${saved.saved} label${saved.saved === 1 ? '' : 's'}${saved.admitted ? ' · calibration passed: you are admitted to the main queue' : ''}. Press n for the next answer.`;
    if (current === saving && (await gradeAnswer(root, answer.id, true))) notice('ok', message);
  } catch (err) {
    saving.saving = false;
    if (current === saving) notice('error', err instanceof ApiError ? err.message : String(err));
  }
}

/** Keys of the grading page; typing in a text field is left alone. */
export function gradeKeys(root: HTMLElement, event: KeyboardEvent): void {
  if (!current || event.ctrlKey || event.metaKey || event.altKey) return;
  if (current.saving) return event.preventDefault();
  const target = event.target as HTMLElement;
  if (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA') {
    if (event.key === 'Enter' || event.key === 'Escape') {
      target.blur();
      event.preventDefault();
      if (event.key === 'Enter') move(root, current.index + 1);
    }
    return;
  }
  const actions: Record<string, () => void> = {
    j: () => move(root, current!.index + 1),
    ArrowDown: () => move(root, current!.index + 1),
    k: () => move(root, current!.index - 1),
    ArrowUp: () => move(root, current!.index - 1),
    '1': () => mark(root, true),
    '2': () => mark(root, false),
    '3': () => mark(root, null),
    s: () => takeSpan(root),
    c: () => document.getElementById('comment')?.focus(),
    x: () => {
      const entry = current!.answer.rubric[current!.index];
      const label = current!.labels.get(entry.id);
      if (label) current!.labels.set(entry.id, { met: label.met, ...(label.reason ? { reason: label.reason } : {}) });
      render(root);
    },
    Enter: () => void submit(root),
    n: () => {
      if (current!.dirty && !confirm('Leave this answer without submitting your labels?')) return;
      void gradeNext(root);
    },
    p: () => {
      const i = visited.indexOf(current!.answer.id);
      if (i > 0) open(visited[i - 1]);
    },
  };
  const action = actions[event.key];
  if (action) {
    event.preventDefault();
    action();
  }
}
