/** Agreement (physicians, judge, matchers) and the adjudication of one answer. */
import type { AgreementStats } from '../../scorer/calibrate.js';
import { api, ApiError } from './api.js';
import { fmt, h, marked, replace, selectionIn } from './dom.js';
import { citedSpan, entryHead, notice, question, state, verdictText, type Answer, type Comment, type ScoredVerdict } from './shared.js';
import { commentLine } from './grade.js';

/** The agreement figures as the server computes them (a type only: nothing of the server is bundled). */
type Stats = AgreementStats;

const ci = (i: { low: number; high: number } | null) => (i ? ` [${i.low.toFixed(2)}, ${i.high.toFixed(2)}]` : '');

function statsTable(id: string, groups: Stats[]): HTMLElement {
  return h(
    'table',
    { class: 'stats', id },
    h('tr', {}, ['group', 'n', 'agreement', "Cohen's kappa", "Gwet's AC1", 'macro-F1'].map((t) => h('th', {}, t))),
    groups.map((g) => h('tr', { 'data-group': g.group }, h('td', {}, g.group), h('td', {}, g.n), h('td', {}, fmt(g.agreement)), h('td', { class: 'kappa' }, fmt(g.kappa), ci(g.ci.kappa)), h('td', {}, fmt(g.ac1), ci(g.ci.ac1)), h('td', {}, fmt(g.macroF1), ci(g.ci.macroF1)))),
  );
}

interface RaterAgreement {
  groups: Stats[];
  compared: number;
  /** Labelled entries left out because their answer has no score yet. */
  unscored: number;
}

/** How many entries were compared, and how many labelled ones wait for `caps score`. */
function comparedText(r: RaterAgreement): string {
  const waiting = r.unscored ? `; ${r.unscored} labelled entries of answers not scored yet are left out (run caps score on their run)` : '';
  return `${r.compared} entries compared (reference: the physicians' majority, or the adjudication)${waiting}`;
}

export async function agreementView(root: HTMLElement): Promise<void> {
  replace(root, h('p', {}, 'Computing agreement (bootstrap intervals)…'));
  const view = await api<{
    physicians: { groups: Stats[]; pairs: number };
    judge: RaterAgreement | { error: string };
    matcher: RaterAgreement | { error: string };
    disagreements: { answer: number; entry: string; kind: string; between: string; labels: { grader: string; met: boolean | null }[]; adjudicated: boolean | null | undefined }[];
  }>('/review/agreement');
  const rater = (title: string, id: string, r: typeof view.judge) => [h('h3', {}, title), 'error' in r ? h('p', { class: 'error' }, r.error) : [h('p', {}, comparedText(r)), statsTable(id, r.groups)]];
  replace(
    root,
    h('h2', {}, 'Agreement'),
    h('h3', {}, 'Physician – physician (the ceiling)'),
    h('p', {}, `${view.physicians.pairs} pairs of labels on the same entry`),
    statsTable('physicians', view.physicians.groups),
    rater('Physicians – judge', 'judge', view.judge),
    rater('Physicians – matcher', 'matcher', view.matcher),
    h('h3', {}, `Disagreements (${view.disagreements.length})`),
    h(
      'table',
      { id: 'disagreements' },
      h('tr', {}, ['answer', 'entry', 'kind', 'between', 'labels', 'adjudicated'].map((t) => h('th', {}, t))),
      view.disagreements.map((d) =>
        h(
          'tr',
          {},
          h('td', {}, h('a', { href: `#/unit/${d.answer}/${encodeURIComponent(d.entry)}`, class: 'open-unit' }, `#${d.answer}`)),
          h('td', {}, d.entry),
          h('td', {}, d.kind),
          h('td', {}, d.between),
          h('td', {}, d.labels.map((l) => `${l.grader}: ${verdictText(l.met)}`).join(' · ')),
          h('td', {}, d.adjudicated === undefined ? '' : verdictText(d.adjudicated)),
        ),
      ),
    ),
  );
}

interface Unit extends Answer {
  comments: Comment[];
  labels: { id: number; entry: string; met: boolean | null; reason: string | null; span: { start: number; end: number } | null; grader: string; stage: string; at: string }[];
  verdicts: ScoredVerdict[];
}

let adjudication: { met: boolean | null; span?: { start: number; end: number } } = { met: null };

export async function unitView(root: HTMLElement, id: number, entryId?: string): Promise<void> {
  const unit = await api<Unit>(`/review/units/${id}`);
  const entry = unit.rubric.find((e) => e.id === entryId) ?? unit.rubric[0];
  const labels = unit.labels.filter((l) => l.entry === entry.id);
  const verdict = unit.verdicts.find((v) => v.entry === entry.id);
  const final = labels.find((l) => l.stage === 'adjudication');
  adjudication = { met: final ? final.met : null, ...(final?.span ? { span: final.span } : {}) };
  const sides = [
    ...labels.filter((l) => l.stage !== 'adjudication').map((l) => ({ who: `${l.grader} (${l.stage}): ${verdictText(l.met)}${l.reason ? ` — ${l.reason}` : ''}`, span: l.span })),
    ...(verdict?.judge ? [{ who: `judge: ${verdictText(verdict.judge.met)}${verdict.judge.rationale ? ` — ${verdict.judge.rationale}` : ''}`, span: citedSpan(unit.text, verdict.judge) }] : []),
    ...(verdict?.matcher ? [{ who: `matcher: ${verdictText(verdict.matcher.met)}`, span: citedSpan(unit.text, verdict.matcher) }] : []),
  ];
  const reason = h('textarea', { id: 'adjudication-reason', placeholder: 'reason for the final verdict (required)' }, final?.reason ?? '');
  const choice = h('div', { id: 'adjudication-choice', class: 'choice' });
  const showChoice = () => replace(choice, `final verdict: ${verdictText(adjudication.met)}`, adjudication.span ? ` · evidence “${unit.text.slice(adjudication.span.start, adjudication.span.end)}”` : '');
  showChoice();
  const canAdjudicate = state.me?.grader.role === 'senior' || state.me?.grader.role === 'coordinator';
  replace(
    root,
    h('h2', {}, `Answer #${unit.id} · item ${unit.item} · ${unit.variant}`),
    h('nav', { class: 'entries-nav' }, unit.rubric.map((e) => h('a', { href: `#/unit/${unit.id}/${encodeURIComponent(e.id)}`, class: e.id === entry.id ? 'current' : '' }, e.id))),
    h('div', { class: 'entry current' }, h('div', { class: 'head' }, entryHead(entry)), h('div', { class: 'text' }, entry.text)),
    question(unit.messages),
    h('div', { class: 'sides' }, sides.map((s) => h('div', { class: 'side' }, h('div', { class: 'who' }, s.who), h('div', { class: 'answer' }, marked(unit.text, s.span))))),
    unit.comments.length > 0 && h('div', { class: 'comments' }, h('h3', {}, 'Comments'), unit.comments.map(commentLine)),
    final && h('p', { class: 'final' }, `Adjudicated by ${final.grader}: ${verdictText(final.met)} — ${final.reason ?? ''} (${final.at})`),
    canAdjudicate &&
      h(
        'div',
        { class: 'adjudicate' },
        h('h3', {}, 'Adjudicate'),
        h('p', { class: 'keys' }, 'select evidence in the answer below and press s; 1 met · 2 not met · 3 cannot judge; write the reason; Save'),
        h('div', { class: 'answer', id: 'answer' }, marked(unit.text, adjudication.span)),
        choice,
        reason,
        h(
          'button',
          {
            id: 'adjudicate',
            'on:click': async () => {
              try {
                await api(`/review/units/${unit.id}/adjudicate`, { entry: entry.id, met: adjudication.met, reason: reason.value, bankHash: unit.bankHash, ...(adjudication.span ? { span: adjudication.span } : {}) });
                notice('ok', `Final verdict on ${entry.id} saved; caps score and caps report use it over the judge and matchers.`);
                await unitView(root, id, entry.id);
              } catch (err) {
                notice('error', err instanceof ApiError ? err.message : String(err));
              }
            },
          },
          'Save final verdict',
        ),
      ),
  );
  unitKeys = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    if (target.tagName === 'TEXTAREA' || target.tagName === 'INPUT') return;
    if (event.key === '1' || event.key === '2' || event.key === '3') adjudication.met = event.key === '1' ? true : event.key === '2' ? false : null;
    else if (event.key === 's') {
      const span = selectionIn(document.getElementById('answer')!);
      if (span) adjudication.span = span;
    } else return;
    event.preventDefault();
    showChoice();
  };
}

export let unitKeys: ((event: KeyboardEvent) => void) | null = null;
