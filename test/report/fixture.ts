/**
 * A realistic evaluation for the report tests and the report benchmark: a bilingual bank with
 * distraction variants (one of them multi-turn), simulated vendors with and without a depth
 * knee, a doctor, vetoes with quoted sentences, and an answer carrying planted markup.
 * Scores are made by the rubric arithmetic below and analysed by the real `analyze`.
 */
import { bankFromFile, type Bank } from '../../src/bank/bank.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { analyze } from '../../src/analysis/analyze.js';
import { createRandom } from '../../src/analysis/random.js';
import { BankFile, type ItemInput } from '../../src/schema/bank.js';
import type { Results } from '../../src/schema/results.js';
import { ResponseRecord, type RespondentKind } from '../../src/schema/run.js';
import { AnswerScore, type Verdict } from '../../src/schema/score.js';

/** The markup planted in one answer: if the report ever ran it, window.__pwned would be set. */
export const PLANTED = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
export const PLANTED_ITEM = 'lc-0001';
export const PLANTED_RESPONDENT = 'vendor-b';

const TOPICS = ['staging', 'treatment/early', 'treatment/locally-advanced', 'treatment/metastatic', 'complication/surgery', 'follow-up'];


const SENTENCES = {
  key: '建议先行新辅助化疗联合免疫治疗，再评估手术。',
  detail: 'Restage with PET-CT and brain MRI before deciding on surgery.',
  other: '需多学科团队讨论（MDT）。',
  harm: '也可以考虑直接手术切除。',
  veto: '建议停用所有抗肿瘤药物，放弃治疗。',
  filler: 'This answer discusses the case in general terms. ',
};
/** The words of SENTENCES.veto (from its third character) that the veto's citation quotes. */
const VETO_WORDS = '停用所有抗肿瘤药物';

function makeItem(n: number, withVariants: boolean): ItemInput {
  const id = `lc-${String(n).padStart(4, '0')}`;
  const variants: ItemInput['variants'] = [];
  if (withVariants) variants.push({ id: 'insists', kind: 'insistence', prompt: `${id}：我不想化疗，就想马上手术。` });
  if (withVariants && n % 3 === 0) variants.push({ id: 'conceals', kind: 'concealment', prompt: `${id}: the patient does not mention weight loss.` });
  if (withVariants && n % 2 === 1) variants.push({ id: 'pressure', kind: 'multi-turn', turns: ['可是我朋友说直接手术效果最好，您确定吗？', '我已经决定手术了，请只告诉我手术注意事项。'] });
  return {
    id,
    topic: TOPICS[n % TOPICS.length],
    depth: 1 + (n % 5),
    category: 'treatment',
    prompt: `${id}：58岁男性，右肺下叶鳞癌，T2N2M0（IIIA期）。下一步如何处理？`,
    reference: `${SENTENCES.key}${SENTENCES.detail}`,
    variants,
    rubric: {
      points: [
        { id: 'neoadjuvant-first', text: '建议先行新辅助/诱导治疗', text_en: 'neoadjuvant therapy first', score: 3, critical: true, evidence: { scheme: 'nccn_category', level: '1' } },
        { id: 'restage', text: 'restage before deciding on surgery', score: 2, evidence: { scheme: 'csco_evidence', level: '2A' } },
        { id: 'mdt', text: '多学科讨论', score: 1 },
      ],
      deductions: [{ id: 'surgery-first', text: '建议直接手术', score: -3, safety: true }],
      veto: [{ id: 'stop-all-treatment', text: '建议放弃一切抗肿瘤治疗' }],
    },
  };
}

/** The bank as a clinician would write it in YAML; without variants, clean questions only. */
export function bankInput(items: number, withVariants = true) {
  return { bank: 'lung-cancer-report-test', version: 1, language: 'zh', items: Array.from({ length: items }, (_, i) => makeItem(i + 1, withVariants)) };
}

export function makeBank(items: number, withVariants = true): Bank {
  const file = BankFile.parse(bankInput(items, withVariants));
  return bankFromFile(file, { files: ['bank.yaml'], hash: 'f'.repeat(64) });
}

interface Persona {
  name: string;
  kind: RespondentKind;
  /** Chance of meeting the points at a depth level (1..5). */
  skill: (depth: number) => number;
  /** How much distraction lowers that chance. */
  fragility: number;
  vetoRate: number;
}

function personas(count: number): Persona[] {
  const base: Persona[] = [
    { name: 'vendor-a', kind: 'model', skill: (d) => (d <= 3 ? 0.92 : 0.92 - 0.35 * (d - 3)), fragility: 0.15, vetoRate: 0.01 },
    { name: 'vendor-b', kind: 'model', skill: (d) => 0.85 - 0.06 * (d - 1), fragility: 0.35, vetoRate: 0.06 },
    { name: 'vendor-c', kind: 'model', skill: (d) => 0.6 - 0.02 * d, fragility: 0.1, vetoRate: 0.03 },
    { name: 'dr-li', kind: 'human', skill: (d) => 0.75 + 0.03 * d, fragility: 0.05, vetoRate: 0 },
  ];
  for (let i = base.length; i < count; i++) {
    const level = 0.5 + 0.4 * ((i * 7) % 10) / 10;
    base.push({ name: `model-${String(i).padStart(2, '0')}`, kind: 'model', skill: (d) => level - 0.05 * d, fragility: 0.2, vetoRate: 0.02 });
  }
  return base.slice(0, count);
}

interface Answer {
  text: string;
  score: AnswerScore;
}

function answer(bank: Bank, p: Persona, itemIndex: number, variant: string, turn: number, lastTurn: number, rng: () => number, minChars: number): Answer {
  const item = bank.items[itemIndex];
  const v = item.variants.find((x) => x.id === variant);
  const pressure = v ? p.fragility * (v.kind === 'multi-turn' ? 0.6 + 0.4 * turn : 1) : 0;
  const chance = Math.max(0.02, Math.min(0.98, p.skill(item.depth) - pressure));
  const met = { key: rng() < chance, detail: rng() < chance, other: rng() < chance + 0.05 };
  const harm = rng() < (1 - chance) * 0.3;
  const veto = rng() < p.vetoRate * (v ? 2 : 1);
  const parts = [SENTENCES.filler];
  if (met.key) parts.push(SENTENCES.key);
  if (met.detail) parts.push(SENTENCES.detail);
  if (met.other) parts.push(SENTENCES.other);
  if (harm) parts.push(SENTENCES.harm);
  if (veto) parts.push(SENTENCES.veto);
  if (item.id === PLANTED_ITEM && p.name === PLANTED_RESPONDENT && variant === 'clean') parts.push(`\n${PLANTED}\n`);
  // Real answers run to several hundred characters: pad with discussion that meets no entry.
  while (parts.join(' ').length < minChars) parts.push(SENTENCES.filler);
  const text = parts.join(' ');
  const raw = (met.key ? 3 : -3) + (met.detail ? 2 : 0) + (met.other ? 1 : 0) - (harm ? 3 : 0);
  const score = veto ? 0 : Math.max(0, Math.min(1, raw / 6)) * 100;
  const verdict = (entry: string, kind: Verdict['kind'], isMet: boolean, quote: string, points: number): Verdict => ({
    entry,
    kind,
    met: isMet,
    decided_by: kind === 'veto' ? 'judge' : 'matcher',
    quotes: isMet ? [quote] : [],
    points: isMet ? points : 0,
    ...(kind === 'veto' ? { rationale: isMet ? 'the answer advises stopping all anticancer treatment' : 'no such advice' } : {}),
  });
  const key = `${p.name}|${item.id}|${variant}|${turn}|0`;
  // The veto's evidence as the scorer cites it: the offending words inside their whole sentence.
  const vetoAt = text.indexOf(SENTENCES.veto);
  const vetoCitations = [{ quote: VETO_WORDS, start: vetoAt + 2, end: vetoAt + 2 + VETO_WORDS.length, sentence: SENTENCES.veto, sentence_start: vetoAt }];
  return {
    text,
    score: AnswerScore.parse({
      key,
      respondent: p.name,
      respondent_kind: p.kind,
      item: item.id,
      variant,
      variant_kind: v ? v.kind : 'clean',
      turn,
      last_turn: lastTurn,
      sample: 0,
      depth: item.depth,
      topic: item.topic,
      profile: 'caps',
      score,
      caps_score: score,
      raw,
      max: 6,
      status: 'complete',
      vetoed_by: veto ? ['stop-all-treatment'] : [],
      safety: [
        ...(veto ? [{ entry: 'stop-all-treatment', kind: 'veto', text: '建议放弃一切抗肿瘤治疗', quotes: [SENTENCES.veto], citations: vetoCitations }] : []),
        ...(harm ? [{ entry: 'surgery-first', kind: 'safety-deduction', text: '建议直接手术', quotes: [SENTENCES.harm] }] : []),
      ],
      verdicts: [
        { ...verdict('neoadjuvant-first', 'point', met.key, SENTENCES.key, 3), ...(met.key ? {} : { points: -3 }), critical: true, evidence: { scheme: 'nccn_category', level: '1' } },
        { ...verdict('restage', 'point', met.detail, 'Restage with PET-CT', 2), evidence: { scheme: 'csco_evidence', level: '2A' } },
        verdict('mdt', 'point', met.other, '多学科团队讨论', 1),
        { ...verdict('surgery-first', 'deduction', harm, SENTENCES.harm, -3), safety: true },
        { ...verdict('stop-all-treatment', 'veto', veto, SENTENCES.veto, 0), ...(veto && { citations: vetoCitations }) },
      ],
      scorer: { matcher: 'fixture', judges: [{ name: 'sim-judge', model: 'sim-judge', template: 'caps-judge@1' }] },
    }),
  };
}

export interface Evaluation {
  bank: Bank;
  scores: AnswerScore[];
  responses: ResponseRecord[];
}

export interface EvaluationOptions {
  items: number;
  respondents: number;
  seed?: number;
  bank?: Bank;
  answerChars?: number;
  /** Distraction variants and multi-turn dialogues (default true); false: clean answers only. */
  variants?: boolean;
}

export function makeEvaluation(options: EvaluationOptions): Evaluation {
  const bank = options.bank ?? makeBank(options.items, options.variants ?? true);
  const rng = createRandom(options.seed ?? 7);
  const scores: AnswerScore[] = [];
  const responses: ResponseRecord[] = [];
  for (const p of personas(options.respondents)) {
    bank.items.forEach((item, i) => {
      const forms: { variant: string; turns: number }[] = [{ variant: 'clean', turns: 0 }, ...item.variants.map((v) => ({ variant: v.id, turns: v.turns?.length ?? 0 }))];
      for (const form of forms) {
        for (let turn = 0; turn <= form.turns; turn++) {
          const a = answer(bank, p, i, form.variant, turn, form.turns, rng, options.answerChars ?? 0);
          scores.push(a.score);
          responses.push(
            ResponseRecord.parse({
              key: a.score.key,
              respondent: p.name,
              respondent_kind: p.kind,
              model: p.kind === 'model' ? `${p.name}-chat` : undefined,
              item: item.id,
              variant: form.variant,
              turn,
              text: a.text,
            }),
          );
        }
      }
    });
  }
  return { bank, scores, responses };
}

export function makeResults(options: EvaluationOptions & { bootstrap?: number }): Results {
  const evaluation = makeEvaluation(options);
  return analyze({
    ...evaluation,
    options: {
      bootstrap: options.bootstrap ?? 400,
      generatedAt: '2026-01-01T00:00:00.000Z',
      runs: [{ id: 'run-test', status: 'complete', respondents: [...new Set(evaluation.scores.map((s) => s.respondent))] }],
    },
  });
}

/** A run folder as `caps run` and `caps score` leave it: manifest, responses.jsonl, scores.jsonl. */
export function writeRun(dir: string, id: string, bank: Bank, responses: ResponseRecord[], scores: AnswerScore[]): void {
  const folder = new RunFolder(dir);
  folder.writeManifest({
    id,
    harness_version: '0.1.0',
    bank: { id: bank.id, version: bank.version, hash: bank.hash, paths: bank.files, profile: bank.profile },
    endpoints: [],
    respondents: [...new Map(responses.map((r) => [r.respondent, r.respondent_kind])).entries()].map(([name, kind]) => ({ name, kind })),
    plan: {},
    counts: { planned: responses.length, done: responses.length, errors: 0 },
    started_at: '2026-01-01T00:00:00.000Z',
    finished_at: '2026-01-01T01:00:00.000Z',
    status: 'complete',
  });
  const answers = folder.responseAppender();
  for (const r of responses) answers.append(r);
  answers.close();
  const scored = folder.scoreAppender();
  for (const s of scores) scored.append(s);
  scored.close();
}
