/**
 * Judge (or matcher) calibration against expert labels: per (answer, entry) an expert says
 * met or not; we compare with the verdicts in scores.jsonl and report Cohen's kappa, Gwet's
 * AC1 and macro-F1 with seeded bootstrap 95% intervals, overall and per entry kind and axis,
 * the disagreements one by one, and Krippendorff's alpha among experts when several
 * labelled the same entries. With several experts the reference is their majority,
 * or a senior's adjudication where the labels file has one (`stage: adjudication`).
 */
import { dirname, resolve } from 'node:path';
import type { Bank } from '../bank/bank.js';
import type { AnswerScore, Verdict } from '../schema/score.js';
import { RunFolder } from '../io/run-folder.js';
import { readTable } from '../io/table.js';
import { UserError } from '../errors.js';
import { CANNOT_JUDGE, LABEL_COLUMNS } from '../schema/labels.js';
import { appendTo } from '../group.js';
import {
  bootstrapInterval,
  cohenKappa,
  gwetAC1,
  krippendorffAlphaNominal,
  macroF1,
  percentAgreement,
  type Interval,
  type RatedPair,
} from '../analysis/agreement.js';

/** Whose verdicts are calibrated: the judge's opinion, the matcher's, or the final verdict. */
export type CalibratedRater = 'judge' | 'matcher' | 'final';

export interface CalibrateOptions {
  labels: string;
  /** The scored run the labels refer to; without it, each label names its run in a `run` column. */
  runDir?: string;
  rater?: CalibratedRater;
  seed?: number;
  resamples?: number;
  /** Gives per-tag groups (entry tags live in the bank). */
  bank?: Bank;
  /**
   * Labels of answers the run has not scored are skipped (in `skipped`, with why) instead of
   * stopping: the studio's physicians grade answers as soon as they are in a run, before
   * `caps score` has seen them (a doctor's sheet just imported).
   */
  skipUnscored?: boolean;
}

/** The reason given in `skipped` for a label whose answer has no score (see `skipUnscored`). */
export const UNSCORED = 'the answer is not scored yet';

export interface AgreementStats {
  group: string;
  n: number;
  agreement: number | null;
  kappa: number | null;
  ac1: number | null;
  macroF1: number | null;
  ci: { kappa: Interval; ac1: Interval; macroF1: Interval };
}

export interface Disagreement {
  key: string;
  respondent: string;
  item: string;
  entry: string;
  kind: string;
  expert: boolean;
  rater: boolean;
  quotes: string[];
  rationale?: string;
  line: number;
}

export interface CalibrationReport {
  rater: CalibratedRater;
  seed: number;
  labels: number;
  /** Units compared (answer x entry with a reference label and a rater verdict). */
  compared: number;
  groups: AgreementStats[];
  disagreements: Disagreement[];
  /** Labelled units the rater left undecided (or never judged), and expert ties. */
  skipped: { line: number; key: string; entry: string; reason: string }[];
  experts?: { count: number; units: number; alpha: number | null; ci: Interval };
}

const TRUE = new Set(['true', 'yes', 'y', '1', 'met', '是', '满足', '命中']);
const FALSE = new Set(['false', 'no', 'n', '0', 'not met', 'not-met', 'unmet', '否', '不满足', '未命中']);

interface Unit {
  line: number;
  score: AnswerScore;
  verdict: Verdict;
  labels: Map<string, boolean>;
  /** A senior's adjudicated verdict (labels file `stage` column): the reference over the majority. */
  adjudicated?: boolean;
}

export async function calibrate(options: CalibrateOptions): Promise<CalibrationReport> {
  const rater = options.rater ?? 'judge';
  const seed = options.seed ?? 1;
  const rows = readTable(options.labels, {
    required: ['entry', 'met'],
    // A labels file from caps labels export carries more columns (span, reason, stage...).
    optional: [...new Set(['run', 'key', 'item', 'respondent', 'variant', 'turn', 'sample', 'expert', 'note', ...LABEL_COLUMNS])],
  });
  const runs = new Map<string, ScoredRun>();
  const units = new Map<string, Unit>();
  const skipped: CalibrationReport['skipped'] = [];
  for (const { line, values } of rows) {
    const where = `${options.labels}:${line}`;
    if (values.met.trim().toLowerCase() === CANNOT_JUDGE) {
      skipped.push({ line, key: values.key ?? values.item ?? '', entry: values.entry, reason: 'the expert could not judge' });
      continue;
    }
    const runDir = values.run?.trim() ? resolve(dirname(options.labels), values.run.trim()) : options.runDir;
    if (!runDir) throw new UserError(`${where}: which run was labelled? Pass --run RUN_DIR, or give each label a "run" column (a run folder, relative to the labels file).`);
    const run = runs.get(runDir) ?? (await readScoredRun(runDir));
    runs.set(runDir, run);
    const { byKey, byAnswer } = run;
    let score: AnswerScore | undefined;
    if (values.key) score = byKey.get(values.key.trim());
    else if (values.item && values.respondent) {
      score = byAnswer.get(answerId(values.respondent.trim(), values.item.trim(), values.variant?.trim() || 'clean', Number(values.turn || 0), Number(values.sample || 0)));
    } else throw new UserError(`${where}: name the answer with "key", or with "item" and "respondent" (and variant/turn/sample when not 0/clean).`);
    if (!score && options.skipUnscored) {
      skipped.push({ line, key: values.key ?? values.item ?? '', entry: values.entry, reason: UNSCORED });
      continue;
    }
    if (!score) throw new UserError(`${where}: no scored answer for ${values.key ? `key "${values.key}"` : `item "${values.item}" by "${values.respondent}"`} in ${runDir}.`);
    const verdict = score.verdicts.find((v) => v.entry === values.entry.trim());
    if (!verdict) throw new UserError(`${where}: item "${score.item}" has no entry "${values.entry}" (it has ${score.verdicts.map((v) => v.entry).join(', ')}).`);
    const met = parseMet(values.met, where);
    const id = `${runDir}\u0000${score.key}\u0000${verdict.entry}`;
    const unit = units.get(id) ?? { line, score, verdict, labels: new Map<string, boolean>() };
    units.set(id, unit);
    if (values.stage?.trim() === 'adjudication') {
      unit.adjudicated = met;
      continue;
    }
    const expert = values.expert?.trim() || values.grader?.trim() || 'expert';
    if (unit.labels.has(expert)) throw new UserError(`${where}: ${expert} labelled entry "${verdict.entry}" of this answer twice (first on line ${unit.line}).`);
    unit.labels.set(expert, met);
    units.set(id, unit);
  }

  const compared: { unit: Unit; pair: RatedPair }[] = [];
  for (const unit of units.values()) {
    const skip = (reason: string) => skipped.push({ line: unit.line, key: unit.score.key, entry: unit.verdict.entry, reason });
    const votes = [...unit.labels.values()];
    const metVotes = votes.filter(Boolean).length;
    if (unit.adjudicated === undefined && metVotes * 2 === votes.length) {
      skip(`experts split ${metVotes}-${votes.length - metVotes}`);
      continue;
    }
    const observed = raterVerdict(unit.verdict, rater);
    if (observed === undefined || observed === null) {
      skip(`no ${rater} verdict${rater === 'final' ? '' : ` (entry decided by ${unit.verdict.decided_by})`}`);
      continue;
    }
    compared.push({ unit, pair: { expected: unit.adjudicated ?? metVotes * 2 > votes.length, observed } });
  }

  const groups = groupStats(compared, options.bank, seed, options.resamples);
  const disagreements = compared
    .filter(({ pair }) => pair.expected !== pair.observed)
    .map(({ unit, pair }): Disagreement => {
      const opinion = rater === 'judge' ? unit.verdict.judge : rater === 'matcher' ? unit.verdict.matcher : unit.verdict;
      return {
        key: unit.score.key,
        respondent: unit.score.respondent,
        item: unit.score.item,
        entry: unit.verdict.entry,
        kind: unit.verdict.kind,
        expert: pair.expected,
        rater: pair.observed,
        quotes: opinion?.quotes ?? [],
        rationale: opinion?.rationale,
        line: unit.line,
      };
    });

  const report: CalibrationReport = { rater, seed, labels: rows.length, compared: compared.length, groups, disagreements, skipped };
  const multiRated = [...units.values()].filter((u) => u.labels.size >= 2).map((u) => [...u.labels.values()]);
  const experts = new Set([...units.values()].flatMap((u) => [...u.labels.keys()]));
  if (experts.size >= 2 && multiRated.length > 0) {
    report.experts = {
      count: experts.size,
      units: multiRated.length,
      alpha: krippendorffAlphaNominal(multiRated),
      ci: bootstrapInterval(multiRated, krippendorffAlphaNominal, { seed, resamples: options.resamples }),
    };
  }
  return report;
}

interface ScoredRun {
  byKey: Map<string, AnswerScore>;
  byAnswer: Map<string, AnswerScore>;
}

async function readScoredRun(runDir: string): Promise<ScoredRun> {
  const folder = new RunFolder(runDir);
  folder.readManifest();
  const scores = [...(await folder.latestScores()).values()];
  if (scores.length === 0) throw new UserError(`${runDir}: no scores.jsonl yet; run caps score ${runDir} first.`);
  return {
    byKey: new Map(scores.map((s) => [s.key, s])),
    byAnswer: new Map(scores.map((s) => [answerId(s.respondent, s.item, s.variant, s.turn, s.sample), s])),
  };
}

function answerId(respondent: string, item: string, variant: string, turn: number, sample: number): string {
  return [respondent, item, variant, turn, sample].join('\u0000');
}

function parseMet(value: string, where: string): boolean {
  const text = value.trim().toLowerCase();
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  throw new UserError(`${where}: met is "${value}"; write true or false (also yes/no, 1/0, met/not met, 是/否).`);
}

function raterVerdict(verdict: Verdict, rater: CalibratedRater): boolean | null | undefined {
  if (rater === 'judge') return verdict.judge?.met;
  if (rater === 'matcher') return verdict.matcher?.met;
  return verdict.met;
}

/** The groups a unit belongs to: overall, entry kind, and the CAPS axes it touches. */
function groupsOf(unit: Unit, bank: Bank | undefined): string[] {
  const { score, verdict } = unit;
  const groups = ['overall', `kind:${verdict.kind}`, `depth:${score.depth}`, `distraction:${score.variant_kind}`];
  if (verdict.evidence) groups.push(`evidence:${verdict.evidence.scheme}/${verdict.evidence.level}`);
  if (verdict.safety || verdict.kind === 'veto') groups.push('safety');
  const item = bank?.items.find((i) => i.id === score.item);
  if (item) {
    const rubrics = [item.rubric, ...item.variants.flatMap((v) => (v.rubric ? [v.rubric] : []))];
    const entry = rubrics.flatMap((r) => [...r.points, ...r.deductions, ...r.zero_if, ...r.veto]).find((e) => e.id === verdict.entry);
    for (const tag of entry?.tags ?? []) groups.push(`tag:${tag}`);
  }
  return groups;
}

function groupStats(compared: { unit: Unit; pair: RatedPair }[], bank: Bank | undefined, seed: number, resamples?: number): AgreementStats[] {
  const members = new Map<string, RatedPair[]>();
  for (const { unit, pair } of compared) {
    for (const group of groupsOf(unit, bank)) appendTo(members, group, pair);
  }
  if (!members.has('overall')) members.set('overall', []);
  const order = (g: string) => (g === 'overall' ? '' : g);
  return [...members.entries()]
    .sort(([a], [b]) => order(a).localeCompare(order(b)))
    .map(([group, pairs]) => agreementStats(group, pairs, seed, resamples));
}

/** Agreement of one group of rated pairs: kappa, AC1 and macro-F1 with seeded bootstrap intervals. */
export function agreementStats(group: string, pairs: RatedPair[], seed: number, resamples?: number): AgreementStats {
  return {
    group,
    n: pairs.length,
    agreement: percentAgreement(pairs),
    kappa: cohenKappa(pairs),
    ac1: gwetAC1(pairs),
    macroF1: macroF1(pairs),
    ci: {
      kappa: bootstrapInterval(pairs, cohenKappa, { seed, resamples }),
      ac1: bootstrapInterval(pairs, gwetAC1, { seed, resamples }),
      macroF1: bootstrapInterval(pairs, macroF1, { seed, resamples }),
    },
  };
}
