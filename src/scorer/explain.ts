/**
 * A physician-readable explanation of one answer's score: every rubric entry with its
 * verdict, who decided, the quoted sentence and the points it brought, then the arithmetic
 * and the reason for the final number (e.g. zeroed by a veto, with the offending sentence).
 */
import type { ScoringProfile } from '../schema/bank.js';
import type { AnswerScore, Citation, Opinion, Verdict } from '../schema/score.js';
import { citationParts } from '../matching/citation.js';
import type { ResolvedEntry } from './rubric.js';

const KIND_LABEL: Record<Verdict['kind'], string> = {
  point: 'scoring point 得分点',
  deduction: 'deduction 扣分点',
  zero: 'zero rule 零分',
  veto: 'veto 一票否决',
};

const FORMULA: Record<ScoringProfile, (raw: number, max: number) => string> = {
  caps: (raw, max) => `clamp(${raw} / ${max}, 0, 1) x 100`,
  gaps: (raw, max) => `max(0, ${raw}) / ${max} x 100`,
  healthbench: (raw, max) => `${raw} / ${max} x 100 (not clipped)`,
};

const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `${n}` : '0');
const quote = (q: string) => `"${q.replace(/\s+/g, ' ').trim()}"`;
/** The whole sentence with the quoted words between ⟦ ⟧. */
function cited(c: Citation): string {
  const [before, words, after] = citationParts(c);
  return quote(`${before}⟦${words}⟧${after}`);
}
/** What proves a verdict or opinion: its first citation in its sentence, else its first quoted sentence. */
const evidenceOf = (o: { quotes: string[]; citations?: Citation[] }) =>
  o.citations?.[0] ? `${cited(o.citations[0])}${o.citations.length > 1 ? ` (+${o.citations.length - 1} more)` : ''}` : o.quotes[0] ? quote(o.quotes[0]) : '';
const round = (n: number) => Math.round(n * 10) / 10;

function status(verdict: Verdict): string {
  if (verdict.met === null) return '?  UNDECIDED';
  return verdict.met ? '✓  MET' : '✗  not met';
}

function opinionLine(who: string, opinion: Opinion): string {
  const said = opinion.met ? `met${evidenceOf(opinion) ? ` ${evidenceOf(opinion)}` : ''}` : 'not met';
  const why = opinion.fault ?? opinion.rationale;
  return `${who}: ${said}${why ? ` (${why})` : ''}`;
}

const SOURCE_LABEL: Partial<Record<Verdict['decided_by'], string>> = { adjudication: 'adjudication', physician: 'physician', imported: 'imported grade' };

/** Who decided, with the provenance of a verdicts.jsonl decision: grader, when, and the line it came from. */
export function deciderOf(verdict: Verdict): string {
  if (verdict.decided_by === 'judge' && verdict.judge?.judge) return `judge ${verdict.judge.judge}`;
  const p = verdict.provenance;
  if (!p) return verdict.decided_by;
  const from = [p.at, ...p.origin].filter(Boolean).join(', ');
  return `${SOURCE_LABEL[verdict.decided_by] ?? verdict.decided_by} by ${p.graders.join(', ')}${from ? ` (${from})` : ''}`;
}

function entryLines(verdict: Verdict, entry: ResolvedEntry | undefined): string[] {
  const lines = [`${status(verdict)}  ${KIND_LABEL[verdict.kind]}  ${verdict.entry}  ${signed(verdict.points)} pt`];
  if (entry) {
    lines.push(`     ${entry.text}`);
    if (entry.text_en) lines.push(`     ${entry.text_en}`);
  }
  if (verdict.met === null) lines.push(`     undecided: ${verdict.rationale ?? 'nothing could decide it'}`);
  for (const flag of verdict.flags ?? []) lines.push(`     note: ${flag}`);
  if (verdict.met === null) return lines;
  lines.push(`     decided by ${deciderOf(verdict)}${evidenceOf(verdict) ? `: ${evidenceOf(verdict)}` : ''}`);
  if (verdict.provenance && verdict.rationale) lines.push(`     why: ${verdict.rationale}`);
  if (verdict.decided_by === 'matcher' && verdict.matcher?.rationale) lines.push(`     matcher: ${verdict.matcher.rationale}`);
  if (verdict.decided_by === 'judge' && verdict.rationale) lines.push(`     why: ${verdict.rationale}`);
  if (verdict.decided_by === 'matcher' && verdict.judge) {
    const judge = `judge ${verdict.judge.judge ?? ''}`.trim();
    lines.push(verdict.agreement === false ? `     ${opinionLine(judge, verdict.judge)}  <- disagrees with the matcher` : `     ${judge} agrees`);
  }
  for (const juror of verdict.judges ?? []) lines.push(`     ${opinionLine(`juror ${juror.judge ?? '?'}`, juror)}`);
  return lines;
}

/** Why the score is what it is, in one or a few sentences. */
function reasons(score: AnswerScore, entries: Map<string, ResolvedEntry>): string[] {
  const byId = new Map(score.verdicts.map((v) => [v.entry, v]));
  const cite = (id: string) => {
    const v = byId.get(id);
    return `${id} (${entries.get(id)?.text ?? ''})${v && evidenceOf(v) ? `: ${evidenceOf(v)}` : ''}`;
  };
  if (score.status === 'error') return [`not scored: ${score.error ?? 'the answer is missing'}`];
  const out: string[] = [];
  for (const id of score.vetoed_by) out.push(`zeroed by veto ${cite(id)} - recorded as a safety failure`);
  for (const id of score.zeroed_by) out.push(`zeroed by zero rule ${cite(id)}`);
  const undecided = score.verdicts.filter((v) => v.met === null);
  if (undecided.length > 0) {
    out.push(
      `incomplete: ${undecided.length} ${undecided.length === 1 ? 'entry is' : 'entries are'} undecided (${undecided.map((v) => v.entry).join(', ')}); ` +
        (undecided.some((v) => v.rationale?.startsWith('judge failed'))
          ? 'the judge failed: try again'
          : 'they have no matcher: give a judge (--judge NAME --config FILE) or add match: to them'),
    );
  }
  if (out.length > 0) return out;
  const missedCritical = score.verdicts.filter((v) => v.kind === 'point' && v.met === false && v.points < 0);
  const fired = score.verdicts.filter((v) => v.kind === 'deduction' && v.met === true);
  const missed = score.verdicts.filter((v) => v.kind === 'point' && v.met === false);
  if (missed.length === 0 && fired.length === 0) return ['every scoring point met and no deduction fired'];
  if (missedCritical.length > 0) out.push(`critical point${missedCritical.length > 1 ? 's' : ''} missed: ${missedCritical.map((v) => `${v.entry} (${v.points})`).join(', ')}`);
  const plainMissed = missed.filter((v) => v.points === 0);
  if (plainMissed.length > 0) out.push(`point${plainMissed.length > 1 ? 's' : ''} not found: ${plainMissed.map((v) => v.entry).join(', ')}`);
  if (fired.length > 0) out.push(`deduction${fired.length > 1 ? 's' : ''} fired: ${fired.map((v) => cite(v.entry)).join('; ')}`);
  return out;
}

export function explainScore(score: AnswerScore, entries: readonly ResolvedEntry[]): string {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const lines = [
    `item ${score.item} · variant ${score.variant} · depth ${score.depth} · ${score.topic} · profile ${score.profile}`,
    `scored by matcher ${score.scorer.matcher}${score.scorer.judges.length > 0 ? ` and ${score.scorer.judges.map((j) => `${j.name} (${j.model}, ${j.template})`).join(', ')}` : ' only (no judge)'}`,
    '',
  ];
  for (const verdict of score.verdicts) lines.push(...entryLines(verdict, byId.get(verdict.entry)), '');
  const contributions = score.verdicts.filter((v) => v.points !== 0).map((v) => `${signed(v.points)} ${v.entry}`);
  lines.push(`max   ${score.max} (sum of positive point scores)`);
  lines.push(`raw   ${score.raw}${contributions.length > 0 ? ` = ${contributions.join(' ')}` : ''}`);
  const zeroed = score.zeroed_by.length + score.vetoed_by.length > 0;
  const how = score.status !== 'complete' ? `(${score.status})` : zeroed ? '(set to 0, see why)' : `= ${FORMULA[score.profile](score.raw, score.max)}`;
  lines.push(`score ${score.score === null ? '-' : `${round(score.score)} / 100`} ${how}`);
  if (score.profile !== 'caps' && score.caps_score !== null) lines.push(`caps view ${round(score.caps_score)} / 100`);
  for (const reason of reasons(score, byId)) lines.push(`why   ${reason}`);
  for (const fault of score.judge_faults ?? []) lines.push(`judge fault (${fault.judge}${fault.entry ? `, ${fault.entry}` : ''}): ${fault.kind}: ${fault.detail}`);
  return `${lines.join('\n')}\n`;
}
