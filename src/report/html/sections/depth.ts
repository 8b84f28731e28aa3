/** Depth curves with CI bands and the knee (拐点), and doctors beside models. */
import type { DepthCurve, Results } from '../../../schema/results.js';
import { renderChart } from '../../charts/render.js';
import { curveChart, type Curve } from '../../charts/kinds.js';
import { kneeChange, kneeLabel, num, percent, respondentLabel } from '../../format.js';
import { answersLink, el, figure, note, raw, section, table, type Html } from '../markup.js';

/** Overlaying more curves than this makes the chart unreadable; small multiples always show each one. */
const MAX_OVERLAY = 8;

function toCurve(c: DepthCurve): Curve {
  return {
    name: respondentLabel(c.respondent, c.kind),
    human: c.kind === 'human',
    knee: c.knee.status === 'knee' ? c.knee.knot : null,
    points: c.levels.map((l) => ({ x: l.level, value: l.score.mean, lo: l.score.ci?.low ?? null, hi: l.score.ci?.high ?? null, n: l.score.n_items })),
  };
}

export function kneeVerdict(c: DepthCurve): string {
  // The analysis states every verdict in full ("knee at depth 3: ...", "rises after depth 3: ...", "no knee established: ...").
  return `${c.knee.message.charAt(0).toUpperCase()}${c.knee.message.slice(1)}.`;
}

export function depthSection(results: Results): Html {
  const curves = results.depth.curves;
  if (curves.length === 0 || results.depth.levels.length === 0) {
    return section('depth', 'Depth curves and the knee', 'Mean score per depth level.', note('No depth data.'));
  }
  const multiples = curves.map((c) => {
    const chart = renderChart(
      curveChart({
        title: `Depth curve of ${c.respondent}`,
        curves: [toCurve(c)],
        levels: results.depth.levels,
        xName: 'depth level (items)',
        yName: 'score',
        min: 0,
        max: 100,
        width: 420,
        height: 260,
      }),
    );
    return el('div', { class: 'multiple' }, el('h3', {}, respondentLabel(c.respondent, c.kind)), raw(chart), el('p', { class: `verdict ${c.knee.status}` }, kneeVerdict(c)));
  });
  const overlay =
    curves.length <= MAX_OVERLAY && curves.length > 1
      ? figure(
          renderChart(
            curveChart({
              title: 'Depth curves of all respondents',
              curves: curves.map(toCurve),
              levels: results.depth.levels,
              xName: 'depth level',
              yName: 'score',
              min: 0,
              max: 100,
              height: 360,
            }),
          ),
          'All respondents together: line = mean score per level, shaded band = confidence interval, dashed vertical line = knee. Doctors are drawn with dashed lines and triangles.',
        )
      : null;
  const verdicts = table(curves, [
    { header: 'Respondent', cell: (c) => respondentLabel(c.respondent, c.kind) },
    { header: 'Verdict', cell: (c) => kneeLabel(c.knee) },
    { header: 'Shape', cell: (c) => (c.knee.status === 'knee' || c.knee.status === 'rise' ? (c.knee.shape ?? '–') : '–') },
    { header: 'Support', cell: (c) => percent(c.knee.support), numeric: true },
    { header: 'Change [CI]', cell: (c) => kneeChange(c.knee), numeric: true },
    ...results.depth.levels.map((level) => ({
      header: `Depth ${level}`,
      cell: (c: DepthCurve) => answersLink(num(c.levels.find((l) => l.level === level)?.score.mean), c.respondent, level),
      numeric: true,
    })),
  ]);
  return section(
    'depth',
    'Depth curves and the knee (拐点)',
    'Mean score at each cognitive depth level, from recall (low) to individualised decisions in complex cases (high), with the confidence band. ' +
      `Scores often do not fall evenly: after a knee they drop faster or drop once and level off. n = items per level; a score in the table links to the answers behind it. ${results.depth.note}`,
    verdicts,
    overlay ?? raw(''),
    raw(`<div class="multiples">${multiples.map((m) => m.value).join('\n')}</div>`),
  );
}

export function humansSection(results: Results): Html {
  const hvm = results.humans_vs_models;
  if (!hvm.available) {
    return section(
      'doctors',
      'Doctors beside models',
      'Doctors answer the same items and are scored on the same rubric as models.',
      note('No doctor answers in these runs. Import them with caps import-answers to compare.'),
    );
  }
  const byLevel = hvm.rows.filter((r) => r.level !== null);
  const overall = hvm.rows.find((r) => r.level === null);
  const modelMean = (models: Record<string, number | null>) => {
    const values = Object.values(models).filter((v): v is number => v !== null);
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  };
  const bestModel = (models: Record<string, number | null>) => Math.max(...Object.values(models).filter((v): v is number => v !== null));
  const levels = byLevel.map((r) => r.level as number);
  // Items behind each level: the most any respondent answered there.
  const itemsAt = (level: number) => Math.max(0, ...results.depth.curves.map((c) => c.levels.find((l) => l.level === level)?.score.n_items ?? 0));
  const line = (name: string, values: (number | null)[], human: boolean): Curve => ({
    name,
    human,
    points: levels.map((x, i) => ({ x, value: values[i], lo: null, hi: null, n: itemsAt(x) })),
  });
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  const chart = renderChart(
    curveChart({
      title: 'Doctors and models by depth',
      curves: [
        line('models (mean)', byLevel.map((r) => modelMean(r.models)), false),
        line('best model', byLevel.map((r) => finite(bestModel(r.models))), false),
        line('doctors (mean)', byLevel.map((r) => r.humans_mean), true),
        line(`best doctor${hvm.best_human ? ` (${hvm.best_human})` : ''}`, byLevel.map((r) => r.best_human), true),
      ],
      levels,
      xName: 'depth level',
      yName: 'score',
      min: 0,
      max: 100,
    }),
  );
  const rows = overall ? [overall, ...byLevel] : byLevel;
  return section(
    'doctors',
    'Doctors beside models',
    `${hvm.humans.length} doctor(s) answered the same items and were scored on the same rubric as ${hvm.models.length} model(s). ` +
      'Models often beat doctors on common questions and fall behind the best specialists on hard individual judgements; the curves show where that happens.',
    figure(chart, 'Mean score per depth level: models solid, doctors dashed with triangles.'),
    table(rows, [
      { header: 'Depth', cell: (r) => (r.level === null ? 'overall' : r.level) },
      { header: 'Best doctor', cell: (r) => num(r.best_human), numeric: true },
      { header: 'Doctors (mean)', cell: (r) => num(r.humans_mean), numeric: true },
      ...hvm.models.map((m) => ({ header: m, cell: (r: (typeof rows)[number]) => num(r.models[m] ?? null), numeric: true })),
    ]),
  );
}
