/**
 * The agreement view: physician-physician (the ceiling), physician-judge and
 * physician-matcher. Judge and matcher agreement is `caps calibrate` itself run on the
 * labels the studio would export, so the view and the CLI give the same numbers; the
 * physicians' agreement with each other uses the same statistics on pairs of graders.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agreementStats, calibrate, UNSCORED, type AgreementStats, type CalibratedRater, type CalibrationReport } from '../scorer/calibrate.js';
import type { RatedPair } from '../analysis/agreement.js';
import { UserError } from '../errors.js';
import type { Corpus } from './corpus.js';
import { labelRecords, renderLabels } from './labels-export.js';
import type { LabelRow, Store } from './store.js';
import { appendTo } from '../group.js';

export interface Disagreement {
  answer: number;
  entry: string;
  kind: string;
  between: string;
  labels: { grader: string; met: boolean | null }[];
  adjudicated: boolean | null | undefined;
}

export interface AgreementView {
  physicians: { groups: AgreementStats[]; pairs: number };
  judge: CalibrationReport | { error: string };
  matcher: CalibrationReport | { error: string };
  disagreements: Disagreement[];
}

const SEED = 1;

export async function agreementView(store: Store, corpus: Corpus, resamples = 1000): Promise<AgreementView> {
  const labels = store.liveLabels();
  const graders = new Map(store.graders().map((g) => [g.id, g.name]));
  const units = new Map<string, { answer: number; entry: string; grades: LabelRow[]; adjudication?: LabelRow }>();
  for (const l of labels) {
    const id = `${l.answer_id}\u0000${l.entry}`;
    const unit = units.get(id) ?? { answer: l.answer_id, entry: l.entry, grades: [] };
    if (l.stage === 'adjudication') unit.adjudication = l;
    else unit.grades.push(l);
    units.set(id, unit);
  }

  const groups = new Map<string, RatedPair[]>([['overall', []]]);
  const disagreements: Disagreement[] = [];
  const unitMeta = new Map<number, ReturnType<typeof describe>>();
  for (const unit of units.values()) {
    if (!unitMeta.has(unit.answer)) unitMeta.set(unit.answer, describe(store, corpus, unit.answer));
    const meta = unitMeta.get(unit.answer)!;
    if (!meta) continue;
    const entry = meta.rubric.find((e) => e.id === unit.entry);
    const judged = unit.grades.filter((g) => g.met !== null).sort((a, b) => a.grader_id - b.grader_id);
    for (let i = 0; i < judged.length; i++) {
      for (let j = i + 1; j < judged.length; j++) {
        const pair = { expected: judged[i].met === 1, observed: judged[j].met === 1 };
        const names = ['overall', `kind:${entry?.kind ?? 'unknown'}`, `depth:${meta.depth}`];
        if (entry?.evidence) names.push(`evidence:${entry.evidence.scheme}/${entry.evidence.level}`);
        for (const g of names) appendTo(groups, g, pair);
      }
    }
    if (new Set(judged.map((g) => g.met)).size > 1) {
      disagreements.push({
        answer: unit.answer,
        entry: unit.entry,
        kind: entry?.kind ?? 'unknown',
        between: 'physicians',
        labels: unit.grades.map((g) => ({ grader: graders.get(g.grader_id)!, met: g.met === null ? null : g.met === 1 })),
        adjudicated: unit.adjudication ? (unit.adjudication.met === null ? null : unit.adjudication.met === 1) : undefined,
      });
    }
  }
  const order = (g: string) => (g === 'overall' ? '' : g);
  const physicians = {
    groups: [...groups.entries()].sort(([a], [b]) => order(a).localeCompare(order(b))).map(([g, pairs]) => agreementStats(g, pairs, SEED, resamples)),
    pairs: groups.get('overall')!.length,
  };

  const dir = mkdtempSync(join(tmpdir(), 'caps-studio-agreement-'));
  try {
    const file = join(dir, 'labels.csv');
    writeFileSync(file, renderLabels(labelRecords(store, corpus, dir), 'csv'));
    const rater = async (against: CalibratedRater) => {
      try {
        const report = await calibrate({ labels: file, rater: against, seed: SEED, resamples, bank: corpus.bank, skipUnscored: true });
        // Physicians grade answers before caps score has seen them: those labels wait, and the view says how many.
        return { ...report, unscored: report.skipped.filter((s) => s.reason === UNSCORED).length };
      } catch (err) {
        if (err instanceof UserError) return { error: err.message.replaceAll(`${file}:`, 'label ') };
        throw err;
      }
    };
    const judge = await rater('judge');
    const matcher = await rater('matcher');
    if ('disagreements' in judge) {
      const byKey = new Map(store.answerIds({ runs: [...corpus.runs.keys()] }).map((a) => [a.key, a.id]));
      for (const d of judge.disagreements) {
        const answer = byKey.get(d.key);
        if (answer === undefined) continue;
        const unit = units.get(`${answer}\u0000${d.entry}`);
        disagreements.push({
          answer,
          entry: d.entry,
          kind: d.kind,
          between: 'physicians and judge',
          labels: [...(unit?.grades ?? []).map((g) => ({ grader: graders.get(g.grader_id)!, met: g.met === null ? null : g.met === 1 })), { grader: 'judge', met: d.rater }],
          adjudicated: unit?.adjudication ? (unit.adjudication.met === null ? null : unit.adjudication.met === 1) : undefined,
        });
      }
    }
    return { physicians, judge, matcher, disagreements };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function describe(store: Store, corpus: Corpus, answerId: number) {
  const answer = store.answer(answerId);
  const record = answer && corpus.meta(answer.dir, answer.key);
  if (!record) return undefined;
  return { depth: corpus.items.get(record.item)?.depth ?? 0, rubric: corpus.rubric(record) };
}

/** A grader's agreement with the calibration set's reference labels, per entry kind. */
export function calibrationAgreement(store: Store, corpus: Corpus, graderId: number, resamples = 200): { groups: AgreementStats[]; graded: number; total: number } {
  const calibration = store.calibrationAnswers();
  const groups = new Map<string, RatedPair[]>([['overall', []]]);
  let graded = 0;
  for (const answer of calibration) {
    const live = store.liveLabels(answer.id);
    const mine = live.filter((l) => l.grader_id === graderId && l.stage === 'grade');
    if (mine.length > 0) graded++;
    const record = corpus.meta(answer.dir, answer.key);
    if (!record) continue;
    const rubric = corpus.rubric(record);
    for (const ref of live.filter((l) => l.stage === 'reference' && l.met !== null)) {
      const label = mine.find((l) => l.entry === ref.entry);
      if (!label || label.met === null) continue;
      const pair = { expected: ref.met === 1, observed: label.met === 1 };
      const kind = rubric.find((e) => e.id === ref.entry)?.kind ?? 'unknown';
      for (const g of ['overall', `kind:${kind}`]) appendTo(groups, g, pair);
    }
  }
  return { groups: [...groups.entries()].map(([g, pairs]) => agreementStats(g, pairs, SEED, resamples)), graded, total: calibration.length };
}

