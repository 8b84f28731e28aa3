/** Pieces every view uses: the signed-in grader, messages, and how a rubric entry is shown. */
import type { Citation } from '../../schema/score.js';
import { citationParts } from '../../matching/citation.js';
import { h, type Child } from './dom.js';

export interface Me {
  grader: { id: number; name: string; role: 'physician' | 'senior' | 'coordinator'; admitted_at: string | null };
  csrf: string;
  bank: { id: string; version: string; hash: string };
  settings: { graders_per_answer: number; kappa_threshold: number; reservation_minutes: number };
  calibration: number;
}

export interface Entry {
  id: string;
  kind: 'point' | 'deduction' | 'zero' | 'veto';
  text: string;
  text_en?: string;
  score: number;
  critical: boolean;
  safety: boolean;
  veto: boolean;
  evidence: { scheme: string; level: string; source?: string } | null;
}

export interface Answer {
  id: number;
  item: string;
  depth: number;
  topic: string;
  variant: string;
  turn: number;
  calibration: boolean;
  messages: { role: string; content: string }[];
  text: string;
  rubric: Entry[];
  bankHash: string;
}

export interface Comment {
  grader: string;
  entry: string | null;
  text: string;
  at: string;
}

/** The judge's or matchers' opinion on an entry, with its quotes located in the answer (citations) when the score has them. */
export interface Opinion {
  met: boolean;
  quotes: string[];
  citations: Citation[];
  rationale?: string;
}

export interface ScoredVerdict {
  entry: string;
  met: boolean | null;
  decided_by: string;
  citations: Citation[];
  judge: Opinion | null;
  matcher: Opinion | null;
}

export const state: { me: Me | null } = { me: null };

/** Where an opinion's evidence sits in the answer: its first citation, or (in scores made before citations) its first quote found in the text. */
export function citedSpan(text: string, opinion: Pick<Opinion, 'quotes' | 'citations'>): { start: number; end: number } | null {
  const cited = opinion.citations.find((c) => text.slice(c.start, c.end) === c.quote);
  if (cited) return { start: cited.start, end: cited.end };
  const quote = opinion.quotes[0];
  const start = quote ? text.indexOf(quote) : -1;
  return start < 0 ? null : { start, end: start + quote.length };
}

/** An opinion's evidence as a reader checks it: each citation's sentence with the quote marked, or its bare quotes. */
export function evidence(opinion: Opinion | null, who: 'judge' | 'matcher'): Child[] {
  if (!opinion) return [];
  if (opinion.citations.length === 0) return opinion.quotes.map((q) => h('q', { class: 'quote' }, q));
  return opinion.citations.map((c) => {
    const [before, quote, after] = citationParts(c);
    return h('q', { class: 'citation' }, before, h('mark', { class: `cite cite-${who}` }, quote), after);
  });
}

/** Status line at the top of a view: one place where saves, refusals and errors are said. */
export function notice(kind: 'ok' | 'error' | 'info', message: string): void {
  const el = document.getElementById('notice')!;
  el.className = `notice ${kind}`;
  el.textContent = message;
}

export const verdictText = (met: boolean | null | undefined) => (met === true ? 'met' : met === false ? 'not met' : met === null ? 'cannot judge' : '–');

export function entryHead(e: Entry): Child[] {
  const weight = e.kind === 'point' ? `+${e.score}` : e.kind === 'deduction' ? `${e.score}` : e.kind === 'veto' ? 'veto' : 'zero';
  return [
    h('span', { class: `kind kind-${e.kind}` }, e.kind === 'zero' ? 'zero rule' : e.kind),
    h('span', { class: 'weight' }, weight),
    e.critical && h('span', { class: 'tag' }, 'critical'),
    e.safety && e.kind !== 'veto' && h('span', { class: 'tag safety' }, 'safety'),
    e.evidence && h('span', { class: 'tag', title: e.evidence.source ?? '' }, `${e.evidence.scheme} ${e.evidence.level}`),
    h('span', { class: 'entry-id' }, e.id),
  ];
}

export function question(messages: Answer['messages']): HTMLElement {
  return h('div', { class: 'question' }, messages.map((m) => h('div', { class: `message role-${m.role}` }, h('span', { class: 'role' }, m.role), h('div', { class: 'content' }, m.content))));
}
