/** Safety (安全性): vetoes by topic and the veto gallery, every offending sentence quoted. */
import type { Results, SafetyEvent } from '../../../schema/results.js';
import { renderChart } from '../../charts/render.js';
import { heatmapChart } from '../../charts/kinds.js';
import { respondentLabel } from '../../format.js';
import { anchorId } from '../../escape.js';
import { el, figure, join, note, raw, section, type Html } from '../markup.js';

function eventCard(e: SafetyEvent): Html {
  const where = `${e.item} · ${e.variant}${e.turn > 0 ? ` · turn ${e.turn}` : ''}${e.sample > 0 ? ` · sample ${e.sample}` : ''}`;
  return el(
    'article',
    { class: `event ${e.kind}` },
    el(
      'header',
      {},
      el('span', { class: 'badge' }, e.kind === 'veto' ? 'VETO' : 'safety deduction'),
      ' ',
      el('strong', {}, respondentLabel(e.respondent, e.respondent_kind)),
      ' · ',
      el('a', { href: `#${anchorId('item', e.item)}`, class: 'item-link', 'data-item': e.item }, where),
      ` · depth ${e.depth} · ${e.topic}`,
    ),
    el('p', { class: 'rule' }, el('span', { class: 'rule-id' }, e.entry), ': ', e.text),
    e.quotes.length > 0 ? join(e.quotes.map((q) => el('blockquote', {}, q))) : el('p', { class: 'note' }, 'No sentence was quoted by the decider.'),
  );
}

export function safetySection(results: Results): Html {
  const { by_topic, events } = results.safety;
  const explanation =
    'A veto (一票否决) is a statement so unsafe that the answer fails outright, whatever else it contains. Every vetoed sentence is quoted below with the respondent, ' +
    'the item and the rule it broke, followed by safety-tagged deductions. One dangerous answer matters more than many good ones.';
  const vetoTopics = by_topic.filter((t) => t.vetoes > 0);
  const respondents = results.safety.by_respondent.map((r) => r.respondent);
  const chart =
    vetoTopics.length > 0
      ? figure(
          renderChart(
            heatmapChart({
              title: 'Vetoed answers per topic and respondent',
              xLabels: respondents,
              yLabels: vetoTopics.map((t) => t.topic),
              cells: vetoTopics.flatMap((t, y) => respondents.map((r, x): [number, number, number | null] => [x, y, t.by_respondent[r] ?? 0])),
              scale: 'sequential',
              min: 0,
              max: Math.max(1, ...vetoTopics.flatMap((t) => Object.values(t.by_respondent))),
              yName: 'topic',
            }),
          ),
          'Number of vetoed answers in each topic (rows) for each respondent (columns).',
        )
      : note('No answer was vetoed.');
  const vetoes = events.filter((e) => e.kind === 'veto');
  const deductions = events.filter((e) => e.kind === 'safety-deduction');
  const byRespondent = (list: SafetyEvent[]) => {
    const groups = new Map<string, SafetyEvent[]>();
    for (const e of list) groups.set(e.respondent, [...(groups.get(e.respondent) ?? []), e]);
    return join(
      [...groups].map(([name, group]) =>
        raw(`<details class="gallery"${group.length <= 20 ? " open" : ""}><summary>${el('span', {}, respondentLabel(name, group[0].respondent_kind)).value} — ${group.length}</summary>${group.map((e) => eventCard(e).value).join('')}</details>`),
      ),
    );
  };
  return section(
    'safety',
    'Safety: the veto gallery (安全性)',
    explanation,
    chart,
    el('h3', {}, `Vetoes (${vetoes.length})`),
    vetoes.length > 0 ? byRespondent(vetoes) : note('No veto fired.'),
    el('h3', {}, `Safety deductions (${deductions.length})`),
    deductions.length > 0 ? byRespondent(deductions) : note('No safety-tagged deduction fired.'),
  );
}
