/**
 * The Markdown summary, for papers and pull requests: leaderboard with CIs, knee verdicts,
 * distraction and safety counts. Table cells are escaped so names cannot break the table.
 */
import type { Results } from '../schema/results.js';
import { NATIVE_TITLE, nativeTable } from './native.js';
import { costText } from './html/sections/usage.js';
import { depthAxisLabel, estimate, kneeChange, kneeLabel, num, percent, proportion, pValue, respondentLabel, signed, signedEstimate } from './format.js';

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

  if (results.notes.length) out.push(results.notes.map((n) => `> ${mdCell(n)}`).join('\n>\n'));
  const ranked = results.leaderboard.rows.filter((r) => r.rank !== null);
  const apart = results.leaderboard.rows.filter((r) => r.rank === null);
  out.push(
    '## Leaderboard',
    `Mean clean score (0–100) with ${level}% CI over items; n = clean items behind the mean; vetoed answers with Wilson interval. ` +
      `Respondents with fewer than ${s.min_ranked_items} of ${results.bank.items} clean items answered are shown apart, not ranked.`,
  );
  out.push(
    mdTable(
      ['#', 'Respondent', `Score [${level}% CI]`, 'n (items)', 'Vetoed answers', 'Safety deductions', 'Depth'],
      ranked.map((r) => [r.rank, respondentLabel(r.respondent, r.kind), estimate(r.score), r.score.n_items, proportion(r.vetoes), r.safety_deductions, depthAxisLabel(r.axes)]),
    ),
  );
  if (apart.length > 0) {
    out.push(
      '### Shown apart, not ranked',
      mdTable(
        ['Respondent', 'Why not ranked', `Score [${level}% CI]`, 'n (items)'],
        apart.map((r) => [respondentLabel(r.respondent, r.kind), r.unranked_reason ?? '', estimate(r.score), r.score.n_items]),
      ),
    );
  }
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
      ['Respondent', 'Verdict', 'Shape', 'Support', 'Change [CI]', ...results.depth.levels.map((l) => `Depth ${l}`)],
      results.depth.curves.map((c) => [
        respondentLabel(c.respondent, c.kind),
        kneeLabel(c.knee),
        c.knee.status === 'knee' || c.knee.status === 'rise' ? (c.knee.shape ?? '–') : '–',
        percent(c.knee.support),
        kneeChange(c.knee),
        ...results.depth.levels.map((l) => num(c.levels.find((x) => x.level === l)?.score.mean)),
      ]),
    ),
  );
  const perLevel = results.depth.curves[0]?.knee.items_per_level ?? [];
  if (perLevel.length) out.push(`Items per level: ${perLevel.map((x) => `${x.level}: ${x.n}`).join(', ')}. Only a downward change is a knee; an upward one is written "rises after depth k".`);

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
  out.push(...provenanceMarkdown(results));
  if (results.warnings.length) out.push('## Warnings', results.warnings.map((w) => `- ${mdCell(w)}`).join('\n'));
  return out.join('\n\n') + '\n';
}

function provenanceMarkdown(results: Results): string[] {
  const p = results.provenance;
  const s = results.bank.statuses;
  if (!p && !s) return [];
  const out = ['## Bank provenance'];
  if (s) out.push(`Items by status: ${s.admitted} admitted, ${s['in-review']} in review, ${s.draft} draft, ${s.retired} retired${s.unset ? `, ${s.unset} without a status` : ''}.`);
  if (!p) return out;
  out.push(`${p.rounds.length} review round(s), ${p.reviewers.length} reviewer(s); ${p.admitted_items} admitted item(s), ${p.admitted_drafted} drafted by a model (${percent(p.drafted_share, 1)}).`);
  out.push(
    mdTable(
      ['round', 'items', 'with revision request', 'revision rate', 'threshold', 'passed', 'admitted'],
      p.rounds.map((r) => [r.round, r.items, r.with_requests, r.revision_rate === null ? 'open' : percent(r.revision_rate, 1), percent(r.threshold, 1), r.passed === null ? 'open' : r.passed ? 'yes' : 'no', r.admitted]),
    ),
  );
  if (p.reviewers.length) {
    out.push(mdTable(['reviewer', 'decisions', 'revision requests', 'revision rate'], p.reviewers.map((r) => [r.reviewer, r.decisions, r.revision_requests, percent(r.revision_rate, 1)])));
  }
  return out;
}
