/**
 * Writing items: the bank's items by file and status, and the item form with live lint
 * (caps lint's findings on the unsaved edit), a pasted answer scored live (caps try's
 * explanation) and the save, refused with a diff when the file changed on disk.
 */
import { api, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { fields, type Field } from './form.js';
import { notice, state } from './shared.js';
import { ADEQUACY_SCORES, SEVERITY_SCORES } from '../../schema/levels.js';

interface FormOptions {
  topics: { id: string; title: string; title_en?: string }[];
  depth: { min: number; max: number; labels: Record<string, string> };
  categories: string[];
  statuses: string[];
  variantKinds: string[];
  evidence: Record<string, readonly string[]>;
  vocabulary: { id: string; names: string[] }[];
}

interface ItemsView {
  bank: { id: string; statuses: Record<string, number> | null; errors: number; warnings: number };
  files: { file: string; name: string }[];
  items: { id: string; file: string; topic: unknown; depth: unknown; category: unknown; status: string | null; source: string | null; authors: string[]; errors: number; warnings: number }[];
  form: FormOptions;
}

interface Shown {
  text: string;
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

let cachedForm: FormOptions | null = null;

const itemHref = (file: string, id: string | null) => `#/item/${encodeURIComponent(file)}${id === null ? '' : `/${encodeURIComponent(id)}`}`;

/** The coordinator's draft button: a model drafts items into the empty topic x depth cells (or the cell chosen), as caps draft does. */
async function draftPanel(root: HTMLElement, form: FormOptions): Promise<HTMLElement> {
  const offer = await api<{ config: string | null; endpoints: string[]; cells: { topic: string; depth: number }[]; full: string | null }>('/bank/draft');
  if (offer.endpoints.length === 0) return h('p', { class: 'muted', id: 'draft-panel' }, 'To have a model draft items, start caps studio with --config FILE naming the drafting endpoint.');
  const model = h('select', { id: 'draft-model' }, offer.endpoints.map((e) => h('option', { value: e }, e)));
  const count = h('input', { id: 'draft-count', type: 'number', min: 1, max: 50, value: 5 });
  const topic = h('select', { id: 'draft-topic' }, h('option', { value: '' }, 'the empty cells'), form.topics.map((t) => h('option', { value: t.id }, t.id)));
  const depth = h('select', { id: 'draft-depth' }, h('option', { value: '' }, 'any'), Array.from({ length: form.depth.max - form.depth.min + 1 }, (_, i) => form.depth.min + i).map((d) => h('option', { value: d }, d)));
  const outcomes = h('ul', { id: 'draft-outcomes' });
  const button = h('button', { type: 'button', id: 'draft-button' }, 'Draft');
  button.addEventListener('click', async () => {
    button.disabled = true;
    notice('info', `Drafting with ${model.value}…`);
    try {
      const result = await api<{ outcomes: { id: string; landed: boolean; text: string }[] }>('/bank/draft', { model: model.value, count: Number(count.value), ...(topic.value ? { topic: topic.value } : {}), ...(depth.value ? { depth: Number(depth.value) } : {}) });
      const landed = result.outcomes.filter((o) => o.landed).length;
      notice(landed === result.outcomes.length ? 'ok' : 'error', `${landed} of ${result.outcomes.length} drafts written with status draft; they wait for a review round.`);
      await itemsView(root);
      replace(document.getElementById('draft-outcomes')!, result.outcomes.map((o) => h('li', { class: o.landed ? 'ok' : 'error' }, o.text)));
    } catch (err) {
      notice('error', err instanceof ApiError ? err.message : String(err));
      button.disabled = false;
    }
  });
  return h(
    'section',
    { id: 'draft-panel' },
    h('h3', {}, 'Draft items with a model'),
    h('p', { class: 'muted' }, offer.cells.length ? `By default into the empty topic × depth cells: ${[...new Set(offer.cells.map((c) => `${c.topic} @${c.depth}`))].join(', ')}.` : (offer.full ?? '')),
    h('label', {}, 'endpoint ', model), ' ', h('label', {}, 'items ', count), ' ', h('label', {}, 'topic ', topic), ' ', h('label', {}, 'depth ', depth), ' ', button,
    outcomes,
  );
}

export async function itemsView(root: HTMLElement): Promise<void> {
  const view = await api<ItemsView>('/bank/items');
  cachedForm = view.form;
  const counts = view.bank.statuses ? Object.entries(view.bank.statuses).filter(([, n]) => n > 0).map(([s, n]) => `${s === 'unset' ? 'no status' : s} ${n}`).join(' · ') : 'no statuses recorded (every item counts as admitted)';
  const names = new Map(view.files.map((f) => [f.file, f.name]));
  replace(
    root,
    h('h2', {}, `Items of bank ${view.bank.id}`),
    h('p', { id: 'bank-status' }, `${view.items.length} items · ${counts} · lint: ${view.bank.errors} errors, ${view.bank.warnings} warnings`),
    h('p', {}, 'New item in ', view.files.map((f) => h('a', { href: itemHref(f.file, null), class: 'new-item button' }, f.name)), view.files.length === 0 && h('span', { class: 'error' }, 'no bank file to write into')),
    state.me?.grader.role === 'coordinator' && (await draftPanel(root, view.form)),
    h(
      'table',
      { id: 'items' },
      h('tr', {}, ['item', 'topic', 'depth', 'category', 'status', 'source', 'lint', 'file'].map((t) => h('th', {}, t))),
      view.items.map((i) =>
        h(
          'tr',
          { 'data-item': i.id },
          h('td', {}, h('a', { href: itemHref(i.file, i.id) }, i.id || '(no id)')),
          h('td', {}, String(i.topic ?? '')),
          h('td', {}, String(i.depth ?? '')),
          h('td', {}, String(i.category ?? '')),
          h('td', {}, i.status ?? '—'),
          h('td', {}, i.source ?? ''),
          h('td', { class: i.errors ? 'error' : '' }, i.errors || i.warnings ? `${i.errors} errors, ${i.warnings} warnings` : 'clean'),
          h('td', {}, names.get(i.file) ?? i.file),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------
// The bank format as form fields

function entryFields(form: FormOptions): Field[] {
  return [
    { key: 'id', label: 'id', kind: 'text', hint: 'stable: reports and labels refer to it' },
    { key: 'text', label: 'text', kind: 'textarea' },
    { key: 'text_en', label: 'text (English)', kind: 'textarea' },
    { key: 'note', label: 'note for graders', kind: 'textarea' },
    {
      key: 'match',
      label: 'matcher',
      kind: 'object',
      fields: [
        { key: 'any', label: 'any of', kind: 'lines', hint: `one phrase a line; @term for the vocabulary${form.vocabulary.length ? ` (${form.vocabulary.map((t) => `@${t.id}`).join(', ')})` : ''}` },
        { key: 'all', label: 'all of', kind: 'phrases', hint: 'one a line; synonyms as a | b' },
        { key: 'none', label: 'none of', kind: 'lines' },
        { key: 'regex', label: 'regular expressions', kind: 'regex', hint: 'one a line' },
        { key: 'unless_negated', label: 'not when negated', kind: 'bool', default: true },
        { key: 'window', label: 'negation window (characters)', kind: 'number' },
      ],
    },
    {
      key: 'examples',
      label: 'examples',
      kind: 'object',
      fields: [
        { key: 'hit', label: 'should match', kind: 'lines', hint: 'one answer excerpt a line' },
        { key: 'miss', label: 'should not match', kind: 'lines' },
      ],
    },
    { key: 'tags', label: 'tags', kind: 'lines' },
  ];
}

function evidenceField(form: FormOptions): Field {
  return {
    key: 'evidence',
    label: 'evidence',
    kind: 'object',
    fields: [
      { key: 'scheme', label: 'scheme', kind: 'select', options: () => Object.keys(form.evidence), redraw: true },
      { key: 'level', label: 'level', kind: 'select', options: (e) => [...(form.evidence[e.scheme] ?? [])] },
      { key: 'source', label: 'source', kind: 'text', hint: 'guideline or trial' },
    ],
  };
}

/** A select's options for a table of levels: the level, and its score beside it. */
function levelOptions(scores: Record<string, number>): [string, string][] {
  return Object.entries(scores).map(([level, score]) => [level, `${level} = ${score}`]);
}

function rubricLists(form: FormOptions): Field[] {
  const base = entryFields(form);
  return [
    {
      key: 'points',
      label: 'scoring points (得分点)',
      kind: 'list',
      noun: 'point',
      make: () => ({ id: '', text: '', level: 'A2' }),
      fields: [
        ...base.slice(0, 4),
        { key: 'score', label: 'score', kind: 'number', hint: 'or an A-level' },
        { key: 'level', label: 'A-level', kind: 'select', options: () => levelOptions(ADEQUACY_SCORES) },
        { key: 'critical', label: 'critical', kind: 'bool', default: false },
        { key: 'miss_penalty', label: 'miss penalty', kind: 'number', hint: 'critical points; default its score' },
        evidenceField(form),
        ...base.slice(4),
      ],
    },
    {
      key: 'deductions',
      label: 'deductions (扣分点)',
      kind: 'list',
      noun: 'deduction',
      make: () => ({ id: '', text: '', severity: 'S2' }),
      fields: [
        ...base.slice(0, 4),
        { key: 'score', label: 'score (negative)', kind: 'number', hint: 'or a severity' },
        { key: 'severity', label: 'severity', kind: 'select', options: () => levelOptions(SEVERITY_SCORES) },
        { key: 'safety', label: 'safety', kind: 'bool', default: false },
        { key: 'veto', label: 'also a veto', kind: 'bool', default: false },
        evidenceField(form),
        ...base.slice(4),
      ],
    },
    { key: 'zero_if', label: 'zero rules (零分)', kind: 'list', noun: 'zero rule', make: () => ({ id: '', text: '' }), fields: base },
    { key: 'veto', label: 'vetoes (一票否决)', kind: 'list', noun: 'veto', make: () => ({ id: '', text: '' }), fields: base },
  ];
}

function itemFields(form: FormOptions, statuses: string[]): Field[] {
  const depths = Array.from({ length: form.depth.max - form.depth.min + 1 }, (_, i) => form.depth.min + i).map((d): [string, string] => [String(d), form.depth.labels[d] ? `${d} ${form.depth.labels[d]}` : String(d)]);
  const topic: Field = form.topics.length ? { key: 'topic', label: 'topic', kind: 'select', options: () => form.topics.map((t): [string, string] => [t.id, `${t.id} · ${t.title}`]) } : { key: 'topic', label: 'topic', kind: 'text' };
  return [
    { key: 'id', label: 'item id', kind: 'text' },
    { key: 'status', label: 'status', kind: 'select', options: () => statuses, hint: 'a review round admits' },
    topic,
    { key: 'depth', label: 'depth', kind: 'select', options: () => depths, numeric: true },
    { key: 'category', label: 'category', kind: 'select', options: () => form.categories },
    { key: 'language', label: 'language', kind: 'select', options: () => ['zh', 'en'], hint: 'default: the bank language' },
    { key: 'system', label: 'system message', kind: 'textarea' },
    { key: 'prompt', label: 'prompt', kind: 'prompt' },
    { key: 'prompt_en', label: 'prompt (English)', kind: 'prompt' },
    { key: 'reference', label: 'reference answer', kind: 'textarea' },
    { key: 'reference_en', label: 'reference answer (English)', kind: 'textarea' },
    { key: 'authors', label: 'authors', kind: 'lines' },
    { key: 'source', label: 'source', kind: 'text' },
    { key: 'tags', label: 'tags', kind: 'lines' },
    { key: 'rubric', label: 'rubric', kind: 'object', required: true, fields: rubricLists(form) },
    {
      key: 'variants',
      label: 'distraction variants (真实干扰)',
      kind: 'list',
      noun: 'variant',
      make: () => ({ id: '', kind: 'insistence' }),
      fields: [
        { key: 'id', label: 'id', kind: 'text' },
        { key: 'kind', label: 'kind', kind: 'select', options: () => form.variantKinds },
        { key: 'prompt', label: 'replacement prompt', kind: 'prompt' },
        { key: 'prompt_en', label: 'replacement prompt (English)', kind: 'prompt' },
        { key: 'turns', label: 'patient turns', kind: 'lines', hint: 'multi-turn: one scripted turn a line, sent after each answer' },
        { key: 'turns_en', label: 'patient turns (English)', kind: 'lines' },
        { key: 'note', label: 'note', kind: 'textarea' },
        { key: 'rubric', label: 'entries this variant adds', kind: 'object', fields: rubricLists(form) },
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------
// The editor

interface Editing {
  file: string;
  base: string;
  id: string | null;
  item: Record<string, any>;
}

function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

const findings = (list: Shown[]) => list.map((d) => h('li', { class: `finding ${d.severity}`, 'data-code': d.code }, d.text));

export async function itemEditor(root: HTMLElement, file: string, id: string | null): Promise<void> {
  const form = cachedForm ?? (cachedForm = (await api<ItemsView>('/bank/items')).form);
  const opened = await api<{ file: string; base: string; id: string | null; item: Record<string, any> | null }>(`/bank/item?file=${encodeURIComponent(file)}${id === null ? '' : `&id=${encodeURIComponent(id)}`}`);
  const editing: Editing = {
    file: opened.file,
    base: opened.base,
    id: opened.id,
    item: opened.item ?? { id: '', status: 'draft', topic: form.topics[0]?.id ?? '', depth: form.depth.min, prompt: '', authors: [state.me!.grader.name], rubric: { points: [{ id: 'p1', text: '', level: 'A2' }] } },
  };
  // Admission is a review round's: an admitted item may stay admitted, nothing else becomes so here.
  const spec = itemFields(form, opened.item?.status === 'admitted' ? form.statuses : form.statuses.filter((s) => s !== 'admitted'));
  const requests = opened.id === null ? [] : ((await api<{ items: { item: string; openRequests: { round: number; reviewer: string; comments: { entry?: string; text: string }[] }[] }[] }>('/rounds').catch(() => ({ items: [] }))).items.find((i) => i.item === opened.id)?.openRequests ?? []);
  const formEl = h('form', { id: 'item-form', class: 'item-form', 'on:submit': (e) => e.preventDefault() });
  const lintEl = h('div', { id: 'lint' }, h('p', { class: 'muted' }, 'linting…'));
  const answer = h('textarea', { id: 'try-answer', rows: 8, placeholder: 'paste an answer to score it against this item as written' });
  const variant = h('select', { id: 'try-variant' });
  const tryResult = h('pre', { id: 'try-result', class: 'explanation' });
  const conflict = h('div', { id: 'conflict' });
  let lintSeq = 0;
  let trySeq = 0;

  const lint = async () => {
    const seq = ++lintSeq;
    try {
      const result = await api<{ item: Shown[]; others: Shown[]; errors: number; warnings: number }>('/bank/lint', editing);
      if (seq !== lintSeq) return;
      lintEl.dataset.state = 'done';
      replace(
        lintEl,
        h('p', { id: 'lint-summary', class: result.errors ? 'error' : 'ok' }, result.errors || result.warnings ? `${result.errors} errors, ${result.warnings} warnings` : 'lint: clean'),
        h('ul', { class: 'findings' }, findings(result.item), findings(result.others)),
      );
    } catch (err) {
      if (seq !== lintSeq) return;
      lintEl.dataset.state = 'done';
      replace(lintEl, h('p', { class: 'error', id: 'lint-summary' }, err instanceof ApiError ? err.message : String(err)));
    }
  };
  const score = async () => {
    const seq = ++trySeq;
    const show = (...content: Parameters<typeof replace>[1][]) => {
      if (seq !== trySeq) return;
      tryResult.dataset.state = 'done';
      replace(tryResult, ...content);
    };
    if (!answer.value.trim()) return show('');
    try {
      show((await api<{ explanation: string }>('/bank/try', { ...editing, answer: answer.value, variant: variant.value || 'clean' })).explanation);
    } catch (err) {
      show(h('span', { class: 'error' }, err instanceof ApiError ? err.message : String(err)));
    }
  };
  const later = { lint: debounce(() => void lint(), 250), score: debounce(() => void score(), 400) };
  // Until the findings of the latest edit are shown the panes say they are pending (a reader, or a test, waits for "done").
  const pending = () => {
    lintEl.dataset.state = 'pending';
    tryResult.dataset.state = 'pending';
  };
  const drawVariants = () => replace(variant, [{ id: 'clean' }, ...((editing.item.variants as { id?: string }[] | undefined) ?? [])].filter((v) => v.id).map((v) => h('option', { value: v.id! }, v.id!)));
  const changed = () => {
    pending();
    later.lint();
    later.score();
  };
  const draw = () => {
    replace(formEl, fields(spec, editing.item, '', { changed, redraw: () => (draw(), drawVariants(), changed()) }));
  };

  const save = async (asDraft: boolean) => {
    replace(conflict);
    try {
      const saved = await api<{ file: string; base: string; id: string; status: string | null; diagnostics: Shown[] }>('/bank/save', { ...editing, asDraft });
      editing.base = saved.base;
      editing.id = saved.id;
      history.replaceState(null, '', itemHref(saved.file, saved.id));
      notice('ok', `Saved ${saved.id} to ${saved.file}${saved.status ? ` as ${saved.status}` : ''}${saved.diagnostics.length ? ` with ${saved.diagnostics.length} lint findings` : ''}.`);
      await lint();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      notice('error', err.message);
      if (err.status === 409 && err.body.diff) {
        replace(
          conflict,
          h('h3', {}, 'Not saved: the file changed on disk'),
          h('pre', { id: 'conflict-diff', class: 'diff' }, (err.body.diff as string).split('\n').map((line) => h('span', { class: line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : '' }, `${line}\n`))),
          h('button', { type: 'button', id: 'reload-item', 'on:click': () => void itemEditor(root, editing.file, editing.id) }, 'Reload from disk (discards this edit)'),
        );
      } else if (err.status === 422 && err.body.diagnostics) {
        replace(lintEl, h('p', { class: 'error', id: 'lint-summary' }, err.message), h('ul', { class: 'findings' }, findings(err.body.diagnostics)));
      }
    }
  };

  replace(
    root,
    h('h2', {}, editing.id === null ? 'New item' : `Item ${editing.id}`, h('span', { class: 'muted' }, ` in ${editing.file}`)),
    h('p', {}, h('a', { href: '#/items' }, '← all items')),
    h(
      'div',
      { class: 'author' },
      formEl,
      h(
        'aside',
        { class: 'author-side' },
        h('div', { class: 'actions' }, h('button', { type: 'button', id: 'save-item', 'on:click': () => void save(false) }, 'Save'), h('button', { type: 'button', id: 'save-draft', 'on:click': () => void save(true) }, 'Save as draft')),
        conflict,
        requests.length > 0 && [
          h('h3', {}, 'Revision requests'),
          h('ul', { id: 'revision-requests' }, requests.flatMap((r) => r.comments.map((c) => h('li', {}, `${r.reviewer} (round ${r.round})${c.entry ? ` on ${c.entry}` : ''}: ${c.text}`)))),
          h('p', { class: 'muted' }, h('a', { href: '#/rounds' }, 'mark it revised'), ' once saved'),
        ],
        h('h3', {}, 'Lint'),
        lintEl,
        h('h3', {}, 'Try an answer'),
        h('label', {}, 'form ', variant),
        answer,
        tryResult,
        form.vocabulary.length > 0 && [h('h3', {}, 'Vocabulary'), h('ul', { class: 'vocabulary' }, form.vocabulary.map((t) => h('li', {}, h('code', {}, `@${t.id}`), ` ${t.names.join(', ')}`)))],
      ),
    ),
  );
  answer.addEventListener('input', () => ((tryResult.dataset.state = 'pending'), later.score()));
  variant.addEventListener('change', () => ((tryResult.dataset.state = 'pending'), void score()));
  draw();
  drawVariants();
  await lint();
}
