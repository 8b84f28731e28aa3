/** Pieces every view uses: the signed-in grader, messages, and how a rubric entry is shown. */
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

export const state: { me: Me | null } = { me: null };

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
