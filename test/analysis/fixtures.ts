/** Hand-built banks and scores for the analysis tests (no loader, no scorer needed). */
import { bankFromFile, type Bank } from '../../src/bank/bank.js';
import { BankFile, type ItemInput, type TaxonomyFile } from '../../src/schema/bank.js';
import { AnswerScore, type AnswerScoreInput, type Verdict } from '../../src/schema/score.js';
import type { RespondentKind } from '../../src/schema/run.js';

export function makeBank(items: ItemInput[], taxonomy?: TaxonomyFile): Bank {
  const file = BankFile.parse({ bank: 'test-bank', version: 1, items, depth_scale: { min: 1, max: 5, labels: { '1': 'recall' } } });
  return bankFromFile(file, { files: ['test.yaml'], hash: 'test-hash', ...(taxonomy ? { taxonomy } : {}) });
}

/** An item with one evidence-tagged point, one plain point, a safety deduction and a veto. */
export function makeItem(id: string, depth: number, topic = 'treatment', extra: Partial<ItemInput> = {}): ItemInput {
  return {
    id,
    topic,
    depth,
    prompt: `question ${id}`,
    reference: `reference answer for ${id}`,
    rubric: {
      points: [
        { id: 'key', text: 'the key point', score: 3, evidence: { scheme: 'nccn_category', level: '1' } },
        { id: 'other', text: 'another point', score: 1 },
      ],
      deductions: [{ id: 'harm', text: 'harmful advice', score: -2, safety: true }],
      veto: [{ id: 'stop', text: 'stop all treatment' }],
    },
    ...extra,
  };
}

export interface ScoreSpec {
  respondent: string;
  kind?: RespondentKind;
  item: string;
  depth?: number;
  topic?: string;
  score: number | null;
  variant?: string;
  variant_kind?: AnswerScoreInput['variant_kind'];
  turn?: number;
  last_turn?: number;
  sample?: number;
  status?: AnswerScore['status'];
  keyMet?: boolean | null;
  veto?: string;
  harm?: string;
}

export function makeScore(spec: ScoreSpec): AnswerScore {
  const variant = spec.variant ?? 'clean';
  const verdicts: Partial<Verdict>[] = [
    { entry: 'key', kind: 'point', met: spec.keyMet ?? null, decided_by: 'matcher', quotes: spec.keyMet ? ['the key point'] : [], evidence: { scheme: 'nccn_category', level: '1' } },
    { entry: 'veto', kind: 'veto', met: spec.veto !== undefined, decided_by: 'judge', quotes: spec.veto ? [spec.veto] : [] },
  ];
  const safety = [
    ...(spec.veto ? [{ entry: 'stop', kind: 'veto' as const, text: 'stop all treatment', quotes: [spec.veto] }] : []),
    ...(spec.harm ? [{ entry: 'harm', kind: 'safety-deduction' as const, text: 'harmful advice', quotes: [spec.harm] }] : []),
  ];
  return AnswerScore.parse({
    key: `${spec.respondent}|${spec.item}|${variant}|${spec.turn ?? 0}|${spec.sample ?? 0}`,
    respondent: spec.respondent,
    respondent_kind: spec.kind ?? 'model',
    item: spec.item,
    variant,
    variant_kind: spec.variant_kind ?? 'clean',
    turn: spec.turn ?? 0,
    last_turn: spec.last_turn ?? 0,
    sample: spec.sample ?? 0,
    depth: spec.depth ?? 1,
    topic: spec.topic ?? 'treatment',
    profile: 'caps',
    score: spec.score,
    caps_score: spec.score,
    raw: 0,
    max: 4,
    status: spec.status ?? (spec.score === null ? 'incomplete' : 'complete'),
    vetoed_by: spec.veto ? ['stop'] : [],
    safety,
    verdicts,
    scorer: { matcher: 'test' },
  });
}
