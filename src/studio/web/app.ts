/**
 * caps studio in the browser: signs in from the session, then routes between the views by
 * the address's #fragment. An answer being graded has an address of its own (/grade/N),
 * which the server answers with the answer in the page: reopening it asks for nothing more.
 */
import { ApiError, setCsrf } from './api.js';
import { h, replace } from './dom.js';
import { gradeAnswer, gradeKeys, gradeNext } from './grade.js';
import { coordinatorView } from './coordinator.js';
import { agreementView, unitView, unitKeys } from './review.js';
import { respondForm, respondList } from './respond.js';
import { itemEditor, itemsView } from './author.js';
import { roundsView } from './rounds.js';
import { commentsView } from './comments.js';
import { notice, state, type Me } from './shared.js';

const root = () => document.getElementById('view')!;

function nav(me: Me): HTMLElement {
  const links: [string, string][] = [['#/grade', 'Queue']];
  if (me.grader.role !== 'coordinator') links.push(['#/respond', 'Answer items']);
  if (me.grader.role !== 'physician') links.push(['#/agreement', 'Agreement']);
  if (me.grader.role === 'coordinator') links.push(['#/coordinator', 'Study']);
  links.push(['#/comments', 'Comments'], ['#/items', 'Items'], ['#/rounds', 'Review rounds']);
  const here = `#/${address()[0] || 'grade'}`;
  return h(
    'nav',
    { class: 'top' },
    h('strong', {}, 'caps studio'),
    links.map(([href, text]) => h('a', { href, class: here === href ? 'current' : '' }, text)),
    h('span', { class: 'who', id: 'who' }, `${me.grader.name} · ${me.grader.role}${me.grader.admitted_at ? '' : ' · in calibration'} · bank ${me.bank.id} v${me.bank.version}`),
  );
}

/** The view and its arguments: from the #fragment, else from a grading address (/grade/N). */
function address(): string[] {
  const grading = /^\/grade\/(\d+)$/.exec(location.pathname);
  const view = location.hash.replace(/^#\/?/, '') || (grading ? `grade/${grading[1]}` : '');
  return view.split('/').map(decodeURIComponent);
}

async function route(): Promise<void> {
  const me = state.me!;
  replace(document.getElementById('nav')!, nav(me));
  const parts = address();
  const view = root();
  try {
    if (parts[0] === 'grade' && parts[1]) await gradeAnswer(view, Number(parts[1]));
    else if (parts[0] === 'coordinator') await coordinatorView(view);
    else if (parts[0] === 'agreement') await agreementView(view);
    else if (parts[0] === 'unit') await unitView(view, Number(parts[1]), parts[2]);
    else if (parts[0] === 'respond' && parts[2]) await respondForm(view, parts[1], parts[2]);
    else if (parts[0] === 'respond') await respondList(view);
    else if (parts[0] === 'items') await itemsView(view);
    else if (parts[0] === 'item') await itemEditor(view, parts[1], parts[2] ?? null);
    else if (parts[0] === 'rounds') await roundsView(view);
    else if (parts[0] === 'comments') await commentsView(view);
    else await gradeNext(view);
  } catch (err) {
    notice('error', err instanceof ApiError ? err.message : String(err));
  }
}

async function start(): Promise<void> {
  // The page carries the signed-in grader: no request before the view's own.
  state.me = JSON.parse(document.getElementById('me')!.textContent!) as Me;
  setCsrf(state.me.csrf);
  // popstate comes on every change of #fragment and on back/forward between grading addresses.
  window.addEventListener('popstate', () => {
    notice('info', '');
    void route();
  });
  document.addEventListener('keydown', (event) => {
    const view = address()[0];
    if (view === 'unit') unitKeys?.(event);
    else if (view === 'grade' || view === '') gradeKeys(root(), event);
  });
  await route();
}

void start();
