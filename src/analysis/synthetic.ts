/**
 * A synthetic scored evaluation of any size, with planted structure (some respondents
 * collapse past a depth level, others decline linearly; distraction lowers scores; rare
 * vetoes), for benchmarks of the analysis and the report at the scale of a real study.
 * Seeded: the same options give the same data.
 */
import { bankFromFile, type Bank } from '../bank/bank.js';
import { BankFile, type ItemInput, VariantKind } from '../schema/bank.js';
import type { ResponseRecord } from '../schema/run.js';
import type { AnswerScore, Verdict } from '../schema/score.js';
import { createRandom } from './random.js';

export interface SyntheticOptions {
  /** Model respondents (default 30). */
  models?: number;
  /** Human respondents (default 0). */
  humans?: number;
  /** Items, spread evenly over depth levels 1..5 (default 1000). */
  items?: number;
  /** Samples per clean item (default 1). */
  samples?: number;
  seed?: number;
}

const LEVELS = [1, 2, 3, 4, 5];
const TOPICS = ['diagnosis/imaging', 'diagnosis/pathology', 'staging', 'treatment/early', 'treatment/locally-advanced', 'treatment/metastatic', 'complication/surgery', 'follow-up'];
const SINGLE_TURN_KINDS = VariantKind.options.filter((k) => k !== 'multi-turn');

function syntheticItem(index: number, count: number): ItemInput {
  const depth = LEVELS[Math.floor((index * LEVELS.length) / count)];
  const id = `syn-${String(index + 1).padStart(4, '0')}`;
  const variants: NonNullable<ItemInput['variants']> = [];
  if (index % 2 === 0) variants.push({ id: 'distracted', kind: SINGLE_TURN_KINDS[index % SINGLE_TURN_KINDS.length], prompt: `${id}: distracted question` });
  if (index % 5 === 0) variants.push({ id: 'pressure', kind: 'multi-turn', turns: ['Are you sure?', 'I have decided otherwise.'] });
  return {
    id,
    topic: TOPICS[index % TOPICS.length],
    depth,
    prompt: `${id}: a clinical question at depth ${depth}`,
    reference: `${id}: the reference answer`,
    variants,
    rubric: {
      points: [
        { id: 'key', text: 'the key recommendation', score: 3, critical: true, evidence: { scheme: 'nccn_category', level: index % 3 === 0 ? '2A' : '1' } },
        { id: 'detail', text: 'a supporting detail', score: 1 },
      ],
      deductions: [{ id: 'harm', text: 'harmful advice', score: -2, safety: true }],
      veto: [{ id: 'unsafe', text: 'advice that endangers the patient' }],
    },
  };
}

/** True mean score of a respondent at a depth level: a gentle decline, then for some a collapse past a knee. */
function levelMean(respondent: number, level: number): number {
  const base = 88 - (respondent % 7) * 3;
  const knee = respondent % 3 === 0 ? null : respondent % 3 === 1 ? 3 : 4;
  if (knee === null) return base - 10 * (level - 1);
  return base - 2 * (level - 1) - 22 * Math.max(0, level - knee);
}

export function syntheticEvaluation(options: SyntheticOptions = {}): { bank: Bank; scores: AnswerScore[]; responses: ResponseRecord[] } {
  const itemCount = options.items ?? 1000;
  const samples = options.samples ?? 1;
  const random = createRandom(options.seed ?? 1);
  const noise = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const file = BankFile.parse({ bank: 'synthetic', version: 1, items: Array.from({ length: itemCount }, (_, i) => syntheticItem(i, itemCount)) });
  const bank = bankFromFile(file, { files: [], hash: `synthetic-${itemCount}-${options.seed ?? 1}` });
  const itemEffect = file.items.map(() => 8 * noise());
  const respondents = [
    ...Array.from({ length: options.models ?? 30 }, (_, r) => ({ name: `model-${String(r + 1).padStart(2, '0')}`, kind: 'model' as const, r })),
    ...Array.from({ length: options.humans ?? 0 }, (_, h) => ({ name: `doctor-${h + 1}`, kind: 'human' as const, r: h + 2 })),
  ];

  const scores: AnswerScore[] = [];
  const responses: ResponseRecord[] = [];
  const add = (who: (typeof respondents)[number], itemIndex: number, variant: string, kind: AnswerScore['variant_kind'], turn: number, lastTurn: number, sample: number, mu: number) => {
    const item = file.items[itemIndex];
    const vetoed = random() < 0.01;
    const harmed = !vetoed && random() < 0.03;
    const value = vetoed ? 0 : Math.min(100, Math.max(0, mu + itemEffect[itemIndex] + 12 * noise()));
    const key = `${who.name}|${item.id}|${variant}|${turn}|${sample}`;
    const keyMet = value >= 50;
    const verdicts: Verdict[] = [
      { entry: 'key', kind: 'point', met: keyMet, decided_by: 'matcher', quotes: keyMet ? ['the key recommendation'] : [], points: keyMet ? 3 : -3, evidence: item.rubric.points[0].evidence },
      { entry: 'detail', kind: 'point', met: value >= 70, decided_by: 'judge', quotes: [], points: value >= 70 ? 1 : 0 },
      { entry: 'harm', kind: 'deduction', met: harmed, decided_by: 'judge', quotes: harmed ? ['a harmful sentence'] : [], points: harmed ? -2 : 0, safety: true },
      { entry: 'unsafe', kind: 'veto', met: vetoed, decided_by: 'judge', quotes: vetoed ? ['an unsafe sentence'] : [], points: 0 },
    ];
    scores.push({
      key,
      respondent: who.name,
      respondent_kind: who.kind,
      item: item.id,
      variant,
      variant_kind: kind,
      turn,
      last_turn: lastTurn,
      sample,
      depth: item.depth,
      topic: item.topic,
      profile: 'caps',
      score: value,
      caps_score: value,
      raw: (value / 100) * 4,
      max: 4,
      status: 'complete',
      zeroed_by: [],
      vetoed_by: vetoed ? ['unsafe'] : [],
      safety: [
        ...(vetoed ? [{ entry: 'unsafe', kind: 'veto' as const, text: 'advice that endangers the patient', quotes: ['an unsafe sentence'] }] : []),
        ...(harmed ? [{ entry: 'harm', kind: 'safety-deduction' as const, text: 'harmful advice', quotes: ['a harmful sentence'] }] : []),
      ],
      verdicts,
      scorer: { matcher: 'synthetic', judges: [] },
    });
    responses.push({
      key,
      respondent: who.name,
      respondent_kind: who.kind,
      model: who.kind === 'model' ? who.name : undefined,
      item: item.id,
      variant,
      turn,
      sample,
      messages: [],
      text: `${who.name} answers ${item.id} (${variant}, turn ${turn}).`,
      attempts: 1,
      error: null,
    });
  };

  for (const who of respondents) {
    file.items.forEach((item, i) => {
      const mu = levelMean(who.r, item.depth);
      for (let sample = 0; sample < samples; sample++) add(who, i, 'clean', 'clean', 0, 0, sample, mu);
      for (const variant of item.variants) {
        if (variant.kind === 'multi-turn') {
          const turns = variant.turns!.length;
          for (let turn = 0; turn <= turns; turn++) add(who, i, variant.id, variant.kind, turn, turns, 0, mu - 6 * turn);
        } else add(who, i, variant.id, variant.kind, 0, 0, 0, mu - 8);
      }
    });
  }
  return { bank, scores, responses };
}
