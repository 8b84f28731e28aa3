/**
 * Simulated vendors for the demo: each persona answers a bank item by composing sentences
 * from the rubric's own examples, knowing each scoring point with a probability that
 * depends on depth, distraction kind and dialogue turn. Users can define their own in a
 * personas file (`caps sim --personas FILE`).
 */
import { z } from 'zod';
import type { Bank } from '../../bank/bank.js';
import { VariantKind, type ChatMessage, type Item, type Language, type Prompt } from '../../schema/bank.js';
import { loadYamlFile } from '../config.js';
import { pick } from './random.js';
import type { SimPersona, SimReply, SimRequest } from './server.js';

const Probability = z.number().min(0).max(1);

export const PersonaSpec = z.strictObject({
  name: z.string().min(1).describe('the model id clients ask for'),
  description: z.string().optional(),
  skill: z
    .record(z.string().regex(/^\d+$/, 'skill keys are depth levels such as "1"'), Probability)
    .refine((r) => Object.keys(r).length > 0, 'give the skill for at least one depth')
    .describe('probability of stating a scoring point, by depth (linear in between)'),
  susceptibility: z.partialRecord(VariantKind, Probability).default({}).describe('share of skill lost under each kind of distraction'),
  turn_decay: Probability.default(0).describe('share of skill lost with each further dialogue turn'),
  error_rate: Probability.default(0.1).describe('chance that what the persona does not know comes out as an error (a deduction or zero rule)'),
  veto_rate: Probability.default(0).describe('chance of saying a vetoed (unsafe) statement'),
  reasoning: z.boolean().default(false).describe('also send reasoning_content, like reasoning models'),
});
export type PersonaSpec = z.infer<typeof PersonaSpec>;
export type PersonaSpecInput = z.input<typeof PersonaSpec>;

export const PersonasFile = z.strictObject({ $schema: z.string().optional(), personas: z.array(PersonaSpec).min(1) });

export const DEMO_PERSONA_SPECS: PersonaSpecInput[] = [
  {
    name: 'sim-strong',
    description: 'good at every depth, steady under distraction',
    skill: { '1': 0.96, '2': 0.94, '3': 0.9, '4': 0.86, '5': 0.82 },
    susceptibility: { concealment: 0.08, exaggeration: 0.05, insistence: 0.05, irrelevant: 0.03, 'multi-turn': 0.05 },
    turn_decay: 0.03,
    error_rate: 0.05,
    reasoning: true,
  },
  {
    name: 'sim-knee',
    description: 'strong on recall and application, collapses from depth 3',
    skill: { '1': 0.93, '2': 0.88, '3': 0.42, '4': 0.25, '5': 0.15 },
    susceptibility: { concealment: 0.15, exaggeration: 0.1, insistence: 0.15, irrelevant: 0.1, 'multi-turn': 0.15 },
    turn_decay: 0.08,
    error_rate: 0.3,
  },
  {
    name: 'sim-pliable',
    description: 'good on clean prompts, gives in to insistence and multi-turn pressure',
    skill: { '1': 0.9, '2': 0.87, '3': 0.82, '4': 0.76, '5': 0.7 },
    susceptibility: { concealment: 0.35, exaggeration: 0.3, insistence: 0.7, irrelevant: 0.2, 'multi-turn': 0.45 },
    turn_decay: 0.3,
    error_rate: 0.6,
  },
  {
    name: 'sim-risky',
    description: 'fair knowledge but sometimes says vetoed or unsafe things',
    skill: { '1': 0.82, '2': 0.76, '3': 0.68, '4': 0.6, '5': 0.5 },
    susceptibility: { concealment: 0.2, exaggeration: 0.2, insistence: 0.3, irrelevant: 0.15, 'multi-turn': 0.25 },
    turn_decay: 0.1,
    error_rate: 0.45,
    veto_rate: 0.18,
  },
];

type PersonaBank = Pick<Bank, 'items' | 'language'>;

export function demoPersonas(bank: PersonaBank): SimPersona[] {
  return DEMO_PERSONA_SPECS.map((spec) => createAnswerPersona(PersonaSpec.parse(spec), bank));
}

export function loadPersonas(path: string, bank: PersonaBank): SimPersona[] {
  const file = loadYamlFile(PersonasFile, path, 'A personas file lists personas: [{ name, skill: { "1": 0.9, ... } }].');
  return file.personas.map((spec) => createAnswerPersona(spec, bank));
}

/** Where a request's user message comes from in the bank. */
interface PromptOrigin {
  item: Item;
  variant: string | null;
  language: Language;
}

export function createAnswerPersona(spec: PersonaSpec, bank: PersonaBank): SimPersona {
  const index = indexPrompts(bank);
  return {
    name: spec.name,
    description: spec.description,
    reply(request, rng) {
      const found = findItem(index, request.messages);
      if (!found) return genericReply(spec, request);
      return composeAnswer(spec, found, request, rng);
    },
  };
}

function composeAnswer(spec: PersonaSpec, origin: PromptOrigin, request: SimRequest, rng: () => number): SimReply {
  const { item, language } = origin;
  const variant = item.variants.find((v) => v.id === origin.variant);
  const turn = request.messages.filter((m) => m.role === 'assistant').length;
  const knows =
    skillAt(spec, item.depth) *
    (1 - (variant ? (spec.susceptibility[variant.kind] ?? 0) : 0)) *
    (1 - spec.turn_decay) ** turn;
  const slips = spec.error_rate * (1 - knows);
  const sentences: string[] = [];
  const say = (candidates: string[] | undefined, fallback?: string) => {
    const inLanguage = (candidates ?? []).filter((s) => isChinese(s) === (language === 'zh'));
    const choice = inLanguage.length > 0 ? pick(inLanguage, rng) : fallback;
    if (choice) sentences.push(choice);
  };
  const rubric = item.rubric;
  const added = variant?.rubric;
  for (const point of [...rubric.points, ...(added?.points ?? [])]) {
    if (rng() < knows) say(point.examples?.hit, language === 'en' ? point.text_en : point.text);
    else if (rng() < 0.5) say(point.examples?.miss);
  }
  for (const deduction of [...rubric.deductions, ...(added?.deductions ?? [])]) {
    if (rng() < (deduction.veto ? spec.veto_rate : slips)) say(deduction.examples?.hit, language === 'en' ? deduction.text_en : deduction.text);
  }
  for (const zero of [...rubric.zero_if, ...(added?.zero_if ?? [])]) {
    if (rng() < slips / 3) say(zero.examples?.hit, language === 'en' ? zero.text_en : zero.text);
  }
  for (const veto of [...rubric.veto, ...(added?.veto ?? [])]) {
    if (rng() < spec.veto_rate * (0.5 + (1 - knows))) say(veto.examples?.hit, language === 'en' ? veto.text_en : veto.text);
  }
  const zh = language === 'zh';
  const opening = zh ? pick(['根据您描述的情况，我的建议如下。', '结合病情，分析如下。', '这是一个需要综合判断的问题。'], rng) : pick(['Based on what you describe, here is my advice.', 'Here is how I would approach this.', 'This needs a careful, stepwise answer.'], rng);
  const closing = zh ? '具体方案请与您的主治医生和多学科团队确认。' : 'Please confirm the plan with your treating physician and the multidisciplinary team.';
  const content = [opening, ...sentences, closing].join(zh ? '' : ' ');
  const reasoning = spec.reasoning
    ? zh
      ? `题目深度 ${item.depth}，主题 ${item.topic}。先明确关键决策点，再组织回答。`
      : `Depth ${item.depth}, topic ${item.topic}. Identify the key decision points, then answer.`
    : undefined;
  return { content, reasoning, finish_reason: 'stop' };
}

function genericReply(spec: PersonaSpec, request: SimRequest): SimReply {
  const last = request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  const content = isChinese(last)
    ? `（模拟模型 ${spec.name}）这个问题不在模拟题库中。一般而言，请结合病史、检查结果和指南，与主治医生讨论后决定。`
    : `(simulated model ${spec.name}) This question is not in the simulated bank. In general, decide with your treating physician in light of the history, the test results and the guidelines.`;
  return { content, finish_reason: 'stop' };
}

/** Skill at a depth: the value given for it, or linear between the nearest given depths. */
export function skillAt(spec: Pick<PersonaSpec, 'skill'>, depth: number): number {
  const points = Object.entries(spec.skill)
    .map(([d, p]) => [Number(d), p] as const)
    .sort((a, b) => a[0] - b[0]);
  const below = points.filter(([d]) => d <= depth).at(-1);
  const above = points.find(([d]) => d >= depth);
  if (!below) return points[0][1];
  if (!above || above[0] === below[0]) return below[1];
  return below[1] + ((depth - below[0]) / (above[0] - below[0])) * (above[1] - below[1]);
}

function isChinese(text: string): boolean {
  return /[\u4e00-\u9fff]/.test(text);
}

/** Prompts and patient turns compared without case, width, spacing or punctuation differences. */
function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]/gu, '');
}

function promptText(prompt: Prompt | undefined): string | undefined {
  if (prompt === undefined) return undefined;
  if (typeof prompt === 'string') return prompt;
  return prompt.filter((m) => m.role === 'user').at(-1)?.content;
}

interface PromptIndex {
  prompts: Map<string, PromptOrigin>;
  turns: Map<string, PromptOrigin>;
}

function indexPrompts(bank: PersonaBank): PromptIndex {
  const prompts = new Map<string, PromptOrigin>();
  const turns = new Map<string, PromptOrigin>();
  const add = (map: Map<string, PromptOrigin>, text: string | undefined, origin: PromptOrigin) => {
    if (text && !map.has(normalise(text))) map.set(normalise(text), origin);
  };
  for (const item of bank.items) {
    const language = item.language ?? bank.language;
    add(prompts, promptText(item.prompt), { item, variant: null, language });
    add(prompts, promptText(item.prompt_en), { item, variant: null, language: 'en' });
    for (const variant of item.variants) {
      add(prompts, promptText(variant.prompt), { item, variant: variant.id, language });
      add(prompts, promptText(variant.prompt_en), { item, variant: variant.id, language: 'en' });
      for (const turn of variant.turns ?? []) add(turns, turn, { item, variant: variant.id, language });
      for (const turn of variant.turns_en ?? []) add(turns, turn, { item, variant: variant.id, language: 'en' });
    }
  }
  return { prompts, turns };
}

/** The item (and variant) a conversation is about: its first bank prompt, refined by any scripted turn. */
function findItem(index: PromptIndex, messages: ChatMessage[]): PromptOrigin | null {
  let origin: PromptOrigin | null = null;
  for (const message of messages) {
    if (message.role !== 'user') continue;
    const key = normalise(message.content);
    if (!origin) origin = index.prompts.get(key) ?? null;
    else {
      const turn = index.turns.get(key);
      if (turn && turn.item === origin.item) origin = { item: origin.item, variant: turn.variant, language: origin.language };
    }
  }
  return origin;
}
