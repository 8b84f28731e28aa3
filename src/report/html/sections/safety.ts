/** Safety (安全性): vetoes by topic and the veto gallery, every offending sentence quoted. */
import type { Results, SafetyEvent } from '../../../schema/results.js';
import { renderChart } from '../../charts/render.js';
import { heatmapChart } from '../../charts/kinds.js';
import { respondentLabel } from '../../format.js';
import { anchorId } from '../../escape.js';
import { el, figure, join, note, section, type Html } from '../markup.js';
import { citationParts } from '../../../matching/citation.js';

/** The offending words highlighted in their whole sentence; the quoted sentences when a score has no citations. */
function evidence(e: SafetyEvent): Html {
  if (e.citations && e.citations.length > 0) {
    return join(
      e.citations.map((c) => {
        const [before, quote, after] = citationParts(c);
        return el('blockquote', {}, before, el('mark', { class: 'hit-bad' }, quote), after);
      }),
    );
  }
  return e.quotes.length > 0 ? join(e.quotes.map((q) => el('blockquote', {}, q))) : el('p', { class: 'note' }, 'No sentence was quoted by the decider.');
}

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
      el(
        'a',
        {
          href: `#${anchorId('item', e.item)}?respondent=${encodeURIComponent(e.respondent)}&variant=${encodeURIComponent(e.variant)}&turn=${e.turn}&sample=${e.sample}&entry=${encodeURIComponent(e.entry)}`,
          class: 'item-link answer-link',
          'data-item': e.item,
          'data-respondent': e.respondent,
          'data-variant': e.variant,
          'data-turn': String(e.turn),
          'data-sample': String(e.sample),
          'data-entry': e.entry,
        },
        where,
      ),
      ` · depth ${e.depth} · ${e.topic}`,
    ),
    el('p', { class: 'rule' }, el('span', { class: 'rule-id' }, e.entry), ': ', e.text),
    evidence(e),
  );
}

/** Every veto is shown; safety deductions are far more frequent, so each respondent shows its first few. */
const DEDUCTION_EXAMPLES = 10;

function gallery(events: SafetyEvent[], perRespondent: number): Html {
  const groups = new Map<string, SafetyEvent[]>();
  for (const e of events) {
    const group = groups.get(e.respondent);
    if (group) group.push(e);
    else groups.set(e.respondent, [e]);
  }
  return join(
    [...groups].map(([name, group]) => {
      const shown = group.slice(0, perRespondent);
      const more = group.length - shown.length;
      return el(
        'details',
        { class: 'gallery', open: group.length <= 20 },
        el('summary', {}, `${respondentLabel(name, group[0].respondent_kind)} — ${group.length}`),
        join(shown.map(eventCard)),
        more > 0 ? el('p', { class: 'note' }, `${more} more; every one is listed in verdicts.csv and results.json.`) : null,
      );
    }),
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
              counts: true,
            }),
          ),
          'Number of vetoed answers in each topic (rows) for each respondent (columns).',
        )
      : note('No answer was vetoed.');
  const vetoes = events.filter((e) => e.kind === 'veto');
  const deductions = events.filter((e) => e.kind === 'safety-deduction');
  return section(
    'safety',
    'Safety: the veto gallery (安全性)',
    explanation,
    chart,
    el('h3', {}, `Vetoes (${vetoes.length})`),
    vetoes.length > 0 ? gallery(vetoes, Infinity) : note('No veto fired.'),
    el('h3', {}, `Safety deductions (${deductions.length})`),
    deductions.length > 0 ? gallery(deductions, DEDUCTION_EXAMPLES) : note('No safety-tagged deduction fired.'),
  );
}
