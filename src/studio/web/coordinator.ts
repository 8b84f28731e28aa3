/** The coordinator's desk: graders, invite links, study settings, the calibration set and the audit log. */
import { api, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { notice } from './shared.js';

interface GraderRow {
  id: number;
  name: string;
  role: string;
  admitted_at: string | null;
  progress: { submitted: number; reserved: number; calibration: number };
}

const act = (fn: () => Promise<unknown>) => async () => {
  try {
    await fn();
  } catch (err) {
    notice('error', err instanceof ApiError ? err.message : String(err));
  }
};

// Every change reloads the view; when two reloads overlap, only the newest may render (an older one would show a stale calibration set).
let reloads = 0;

export async function coordinatorView(root: HTMLElement, offset = 0): Promise<void> {
  const mine = ++reloads;
  const [{ graders, counts, settings }, { answers }, { audit }] = await Promise.all([
    api<{ graders: GraderRow[]; counts: { answers: number; calibration: number; slotsNeeded: number; slotsDone: number }; settings: Record<string, number> }>('/coordinator/graders'),
    api<{ answers: { id: number; item: string; variant: string; turn: number; calibration: boolean }[] }>(`/coordinator/answers?offset=${offset}`),
    api<{ audit: { at: string; grader: string | null; action: string; target: string; previous: string | null; value: string | null; reason: string | null }[] }>('/coordinator/audit'),
  ]);
  if (mine !== reloads) return;
  const reload = () => coordinatorView(root, offset);
  // Looked up when shown: a reload re-renders the view.
  const showInvite = (name: string, url: string) => document.getElementById('invites')!.append(h('p', { class: 'invite' }, `Invite link for ${name}: `, h('code', { class: 'invite-url', 'data-grader': name }, url)));
  const name = h('input', { id: 'new-name', placeholder: 'name', autocomplete: 'off' });
  const role = h('select', { id: 'new-role' }, ['physician', 'senior', 'coordinator'].map((r) => h('option', { value: r }, r)));
  const perAnswer = h('input', { id: 'per-answer', type: 'number', min: 1, max: 10, value: settings.graders_per_answer });
  const threshold = h('input', { id: 'threshold', type: 'number', step: '0.05', min: -1, max: 1, value: settings.kappa_threshold });
  replace(
    root,
    h('h2', {}, 'Study'),
    h('p', {}, `${counts.answers} answers (${counts.calibration} in the calibration set) · ${counts.slotsDone} of ${counts.slotsNeeded} grading slots done`),
    h(
      'form',
      { id: 'settings', 'on:submit': (e: Event) => (e.preventDefault(), void act(async () => (await api('/coordinator/settings', { graders_per_answer: Number(perAnswer.value), kappa_threshold: Number(threshold.value) }), notice('ok', 'Settings saved.'), reload()))()) },
      h('label', {}, 'graders per answer ', perAnswer),
      h('label', {}, ' admit at calibration kappa ≥ ', threshold),
      h('button', { type: 'submit' }, 'Save'),
    ),
    h('h2', {}, 'Graders'),
    h(
      'table',
      { id: 'graders' },
      h('tr', {}, ['name', 'role', 'admitted', 'graded', 'reserved', 'calibration', ''].map((t) => h('th', {}, t))),
      graders.map((g) =>
        h(
          'tr',
          {},
          h('td', {}, g.name),
          h('td', {}, g.role),
          h('td', {}, g.admitted_at ? 'yes' : 'no'),
          h('td', {}, g.progress.submitted),
          h('td', {}, g.progress.reserved),
          h('td', {}, g.progress.calibration),
          h(
            'td',
            {},
            h('button', { 'on:click': act(async () => showInvite(g.name, (await api<{ invite: string }>(`/coordinator/graders/${g.id}/invite`, {})).invite)) }, 'new invite link'),
            g.role !== 'coordinator' &&
              h('button', { 'on:click': act(async () => (await api(`/coordinator/graders/${g.id}/admission`, { admitted: !g.admitted_at, reason: g.admitted_at ? 'held back by the coordinator' : 'admitted by the coordinator' }), reload())) }, g.admitted_at ? 'hold' : 'admit'),
          ),
        ),
      ),
    ),
    h(
      'form',
      {
        id: 'new-grader',
        'on:submit': (e: Event) => {
          e.preventDefault();
          void act(async () => {
            const made = await api<{ grader: { name: string }; invite: string }>('/coordinator/graders', { name: name.value, role: role.value });
            await reload();
            showInvite(made.grader.name, made.invite);
            notice('ok', `Created ${made.grader.name}; send them the invite link (it is shown once).`);
          })();
        },
      },
      name,
      role,
      h('button', { type: 'submit', id: 'create-grader' }, 'Create grader'),
    ),
    h('div', { id: 'invites' }),
    h('h2', {}, 'Calibration set'),
    h('p', {}, 'New graders grade these answers first; you give the reference labels by grading them yourself (Queue).'),
    h(
      'table',
      { id: 'answers' },
      h('tr', {}, ['in set', 'answer', 'item', 'form'].map((t) => h('th', {}, t))),
      answers.map((a) =>
        h(
          'tr',
          {},
          h('td', {}, h('input', { type: 'checkbox', class: 'calibration-toggle', 'data-answer': a.id, checked: a.calibration, 'on:change': act(async () => (await api('/coordinator/calibration', { answers: [a.id], on: !a.calibration }), reload())) })),
          h('td', {}, `#${a.id}`),
          h('td', {}, a.item),
          h('td', {}, `${a.variant}${a.turn ? ` turn ${a.turn}` : ''}`),
        ),
      ),
    ),
    h('p', {}, offset > 0 && h('button', { 'on:click': () => coordinatorView(root, Math.max(0, offset - 50)) }, 'previous 50'), answers.length === 50 && h('button', { 'on:click': () => coordinatorView(root, offset + 50) }, 'next 50')),
    h('h2', {}, 'Audit log'),
    h('table', { id: 'audit' }, h('tr', {}, ['when', 'who', 'what', 'on', 'before', 'after', 'why'].map((t) => h('th', {}, t))), audit.map((a) => h('tr', {}, [a.at, a.grader ?? '', a.action, a.target, a.previous ?? '', a.value ?? '', a.reason ?? ''].map((t) => h('td', {}, t))))),
  );
}
