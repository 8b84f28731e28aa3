/**
 * Per-criterion grades made elsewhere (published GAPS or HealthBench gradings, expert
 * panels) as the scores of a run: every labelled entry is decided by that grade
 * (`decided_by: human`), entries left unlabelled fall to their matcher, and the profile's
 * own arithmetic gives the numbers. The file has the columns of `caps calibrate --labels`
 * (key, or item + respondent [+ variant, turn, sample]; entry; met; optional quote,
 * rationale, grader), so the same file can then calibrate our judge against those grades.
 */
import type { Bank } from '../bank/bank.js';
import { CLEAN, type Item, type MatchSpec, type RubricAddition } from '../schema/bank.js';
import type { AnswerScore, Opinion } from '../schema/score.js';
import { RunFolder } from '../io/run-folder.js';
import { readTable } from '../io/table.js';
import { contentHash } from '../io/hash.js';
import { UserError } from '../errors.js';
import { answerKey } from '../runner/plan.js';
import { MATCHER_VERSION } from '../matching/matcher.js';
import { scoreAnswer } from '../scorer/score-answer.js';
import { resolveRubric } from '../scorer/rubric.js';

export interface ImportVerdictsOptions {
  file: string;
  runDir: string;
  bank: Bank;
  /** Who graded, when the file has no grader column (default "imported"). */
  grader?: string;
}

export interface ImportVerdictsSummary {
  runDir: string;
  labels: number;
  answers: number;
  complete: number;
  incomplete: number;
}

const TRUE = new Set(['true', 'yes', 'y', '1', 'met', '是', '满足']);
const FALSE = new Set(['false', 'no', 'n', '0', 'not met', 'not-met', 'unmet', '否', '不满足']);

export async function importVerdicts(options: ImportVerdictsOptions): Promise<ImportVerdictsSummary> {
  const { bank, file } = options;
  const folder = new RunFolder(options.runDir);
  folder.readManifest();
  const responses = await folder.latestResponses();
  const items = new Map(bank.items.map((i) => [i.id, i]));
  const rows = readTable(file, { required: ['entry', 'met'], optional: ['key', 'item', 'respondent', 'variant', 'turn', 'sample', 'quote', 'rationale', 'grader', 'expert', 'note'] });
  const grades = new Map<string, Map<string, { line: number; opinion: Opinion }>>();
  for (const { line, values } of rows) {
    const where = `${file}:${line}`;
    const key =
      values.key?.trim() ||
      (values.item && values.respondent
        ? answerKey({ respondent: values.respondent.trim(), item: values.item.trim(), variant: values.variant?.trim() || CLEAN, turn: Number(values.turn || 0), sample: Number(values.sample || 0) })
        : undefined);
    if (!key) throw new UserError(`${where}: name the answer with "key", or with "item" and "respondent" (and variant/turn/sample when not clean/0/0).`);
    const response = responses.get(key);
    if (!response) throw new UserError(`${where}: no answer "${key}" in ${options.runDir}; check item and respondent against the run.`);
    const item = items.get(response.item);
    if (!item) throw new UserError(`${where}: item "${response.item}" is not in bank "${bank.id}".`);
    const entry = values.entry.trim();
    const ids = resolveRubric(item, response.variant).map((e) => e.id);
    if (!ids.includes(entry)) throw new UserError(`${where}: item "${item.id}" has no entry "${entry}" (it has ${ids.join(', ')}).`);
    const met = values.met.trim().toLowerCase();
    if (!TRUE.has(met) && !FALSE.has(met)) throw new UserError(`${where}: met is "${values.met}"; write true or false (also yes/no, 1/0, met/not met, 是/否).`);
    const byEntry = grades.get(key) ?? new Map<string, { line: number; opinion: Opinion }>();
    const earlier = byEntry.get(entry);
    if (earlier) throw new UserError(`${where}: entry "${entry}" of answer "${key}" is graded twice (first on line ${earlier.line}).`);
    const quote = values.quote?.trim();
    byEntry.set(entry, {
      line,
      opinion: {
        met: TRUE.has(met),
        quotes: quote ? [quote] : [],
        ...(values.rationale?.trim() && { rationale: values.rationale.trim() }),
        judge: values.grader?.trim() || values.expert?.trim() || options.grader || 'imported',
      },
    });
    grades.set(key, byEntry);
  }

  const summary: ImportVerdictsSummary = { runDir: options.runDir, labels: rows.length, answers: 0, complete: 0, incomplete: 0 };
  const appender = folder.scoreAppender();
  try {
    for (const [key, byEntry] of grades) {
      const response = responses.get(key)!;
      const item = items.get(response.item)!;
      const opinions = new Map([...byEntry].map(([entry, { opinion }]) => [entry, opinion]));
      const graders = [...new Set([...opinions.values()].map((o) => o.judge!))];
      const score = scoreAnswer({
        item: gradedByHand(item, opinions),
        response,
        profile: bank.profile,
        judgeOpinions: opinions,
        scorerInfo: {
          matcher: MATCHER_VERSION,
          judges: graders.map((name) => ({ name, model: 'human', template: 'imported-verdicts' })),
          signature: contentHash({ imported: [...opinions], bank: bank.hash, answer: response.text }),
        },
      });
      const record: AnswerScore = {
        ...score,
        verdicts: score.verdicts.map((v) => {
          if (!opinions.has(v.entry)) return v;
          const { judge: _judge, ...rest } = v;
          return { ...rest, decided_by: 'human' as const };
        }),
      };
      appender.append(record);
      summary.answers++;
      if (record.status === 'complete') summary.complete++;
      else summary.incomplete++;
    }
  } finally {
    appender.close();
  }
  return summary;
}

/** The item with the matchers of graded entries removed, so the grade decides them. */
function gradedByHand(item: Item, graded: ReadonlyMap<string, unknown>): Item {
  const strip = <T extends { id: string; match?: MatchSpec }>(entries: T[]): T[] =>
    entries.map((e) => {
      if (!graded.has(e.id) || !e.match) return e;
      const { match: _match, ...rest } = e;
      return rest as T;
    });
  // A shared rubric and a variant's additions have the same shape once parsed.
  const rubric = (r: RubricAddition): RubricAddition => ({ points: strip(r.points), deductions: strip(r.deductions), zero_if: strip(r.zero_if), veto: strip(r.veto) });
  return { ...item, rubric: rubric(item.rubric), variants: item.variants.map((v) => (v.rubric ? { ...v, rubric: rubric(v.rubric) } : v)) };
}
