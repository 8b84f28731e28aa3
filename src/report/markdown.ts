/**
 * The Markdown summary, for papers and pull requests: leaderboard with CIs, knee verdicts,
 * distraction and safety counts. Table cells are escaped so names cannot break the table.
 */
import type { Results } from '../schema/results.js';
import { NATIVE_TITLE, nativeTable } from './native.js';
import { costText } from './html/sections/usage.js';
import { estimate, num, percent, proportion, pValue, respondentLabel, signed, signedEstimate } from './format.js';

/** Escapes Markdown table syntax and inline markup in a cell. */
export function mdCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return String(value)
    .replace(/\\/g, '\\\\')
    .replace(/([|*_`[\]<>#~])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

function mdTable(header: string[], rows: (string | number | null | undefined)[][]): string {
  const line = (cells: (string | number | null | undefined)[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(header), `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}

export function renderMarkdown(results: Results): string {
  const s = results.settings;
  const level = Math.round(s.confidence * 100);
  const out: string[] = [];
  out.push(`# CAPS evaluation: ${mdCell(results.bank.id)} v${mdCell(results.bank.version)}`);
  out.push(
    `${results.bank.items} items (${results.bank.variants} distraction variants), depth ${results.bank.depth_min}–${results.bank.depth_max}, profile ${results.bank.profile}. ` +
      `Runs: ${results.runs.map((r) => mdCell(r.id)).join(', ') || '–'}. ${level}% bootstrap intervals (B = ${s.bootstrap_b}, seed ${s.seed}); acceptable = score ≥ ${s.acceptable_threshold}. ` +
      `caps-eval ${mdCell(results.harness_version)}, ${results.generated_at}.`,
  );

  out.push('## Leaderboard', `Mean clean score (0–100) with ${level}% CI over items; vetoed answers with Wilson interval.`);
  out.push(
    mdTable(
      ['#', 'Respondent', `Score [${level}% CI]`, 'Items', 'Vetoed answers', 'Safety deductions', 'Knee'],
      results.leaderboard.rows.map((r) => [
        r.rank, respondentLabel(r.respondent, r.kind), estimate(r.score), r.score.n_items, proportion(r.vetoes), r.safety_deductions,
        r.axes.depth_knee === null ? 'none established' : `depth ${r.axes.depth_knee}`,
      ]),
    ),
  );
  if (results.native) {
    const pct = (v: number | null) => (v === null ? '–' : (v * 100).toFixed(1));
    out.push(
      `Native ${results.native.profile} headline: ${mdCell(results.native.label)}`,
      mdTable(
        ['Respondent', 'Examples', `${results.native.profile} score ± bootstrap sd`, 'CAPS view'],
        results.native.rows.map((r) => [r.respondent, r.overall.examples, `${pct(r.overall.score)}${r.overall.bootstrap_std === null ? '' : ` ± ${pct(r.overall.bootstrap_std)}`}`, pct(r.caps_view)]),
      ),
    );
  }
  const established = results.leaderboard.pairs.filter((p) => p.verdict !== 'none');
  if (results.leaderboard.pairs.length > 0) {
    out.push(
      `Established differences: ${established.length} of ${results.leaderboard.pairs.length} pairs` +
        (established.length ? ` (${established.map((p) => `${mdCell(p.verdict_text)}: ${signed(p.mean_difference)} [${p.ci ? `${signed(p.ci.low)}, ${signed(p.ci.high)}` : '–'}], sign test p = ${pValue(p.sign_test.p_value)}`).join('; ')}).` : '.'),
    );
  }

  if (results.native) {
    const { header, rows } = nativeTable(results.native);
    out.push(`## ${NATIVE_TITLE[results.native.profile]} headline beside the CAPS view`, `${results.native.label} The CAPS view scores the same answers with vetoes and zero rules applied.`, mdTable(header, rows));
  }

  out.push('## Depth knee (拐点)');
  out.push(
    mdTable(
      ['Respondent', 'Verdict', 'Support', 'Slope change [CI]', ...results.depth.levels.map((l) => `Depth ${l}`)],
      results.depth.curves.map((c) => [
        respondentLabel(c.respondent, c.kind),
        c.knee.status === 'knee' ? `knee at depth ${c.knee.knot}` : c.knee.status === 'no-knee' ? 'no knee established' : 'insufficient data',
        percent(c.knee.support),
        c.knee.slope_change === null ? '–' : `${signed(c.knee.slope_change)}${c.knee.slope_change_ci ? ` [${signed(c.knee.slope_change_ci.low)}, ${signed(c.knee.slope_change_ci.high)}]` : ''}`,
        ...results.depth.levels.map((l) => num(c.levels.find((x) => x.level === l)?.score.mean)),
      ]),
    ),
  );
  const perLevel = results.depth.curves[0]?.knee.items_per_level ?? [];
  if (perLevel.length) out.push(`Items per level: ${perLevel.map((x) => `${x.level}: ${x.n}`).join(', ')}.`);

  out.push('## Distraction (真实干扰)');
  if (results.distraction.kinds.length === 0) out.push('No distraction variants were answered.');
  else
    out.push(
      mdTable(
        ['Respondent', 'Kind', 'Items', 'Change [CI]', 'Flips to unacceptable', 'McNemar p'],
        results.distraction.kinds.map((k) => [
          respondentLabel(k.respondent, k.respondent_kind), `${k.kind}${k.turn_basis === 'last' ? ' (last turn)' : ''}`, k.delta.n_items,
          signedEstimate(k.delta), proportion(k.flips), pValue(k.mcnemar.p_value),
        ]),
      ),
    );
  if (results.distraction.multi_turn.length > 0) {
    out.push(
      mdTable(
        ['Respondent', 'Dialogues', 'Regressive flips', 'Mean turns to capitulation'],
        results.distraction.multi_turn.map((m) => [respondentLabel(m.respondent, m.respondent_kind), m.dialogues, proportion(m.regressive_flips), num(m.mean_turns_to_capitulation)]),
      ),
    );
  }

  out.push('## Safety (安全性)');
  out.push(
    mdTable(
      ['Respondent', 'Vetoed answers', 'Safety deductions'],
      results.safety.by_respondent.map((r) => [respondentLabel(r.respondent, r.kind), proportion(r.vetoes), r.safety_deductions]),
    ),
  );
  const vetoes = results.safety.events.filter((e) => e.kind === 'veto');
  out.push(`${vetoes.length} veto(es) in total; every vetoed sentence is quoted in the HTML report's veto gallery.`);

  if (results.humans_vs_models.available) {
    const h = results.humans_vs_models;
    const overall = h.rows.find((r) => r.level === null);
    out.push('## Doctors beside models');
    out.push(`${h.humans.length} doctor(s), ${h.models.length} model(s), same rubric. Overall: best doctor ${num(overall?.best_human)}, doctors' mean ${num(overall?.humans_mean)}.`);
  }
  const flagged = results.item_quality.filter((q) => q.flags.some((f) => f !== 'not-enough-respondents'));
  out.push('## Bank', `Taxonomy covered: ${percent(results.coverage.taxonomy_share_covered)}. Flagged items: ${flagged.length} of ${results.item_quality.length}.`);
  const usage = [...(results.usage?.endpoints ?? []).map((r) => ['endpoint', r] as const), ...(results.usage?.judges ?? []).map((r) => ['judge', r] as const)];
  if (usage.length) {
    out.push(
      '## Tokens and cost',
      mdTable(
        ['role', 'name', 'calls', 'input tokens', 'output tokens', 'estimated', 'cost'],
        usage.map(([role, r]) => [role, r.name, r.calls, r.prompt_tokens, r.completion_tokens, r.estimated_calls, costText(r)]),
      ),
    );
  }
  if (results.warnings.length) out.push('## Warnings', results.warnings.map((w) => `- ${mdCell(w)}`).join('\n'));
  return out.join('\n\n') + '\n';
}
