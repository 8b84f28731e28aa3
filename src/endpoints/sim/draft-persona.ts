/**
 * The simulated drafting model: reads the cell of a `caps draft` request and replies with an
 * item for it, built from a catalogue of bilingual clinical skeletons (varied per request by
 * the server's seeded random numbers) whose rubrics pass lint. Fault modes reply with what
 * real models sometimes return (prose, truncated JSON, an empty rubric, wrong types), so the
 * drafting pipeline's checks and retries can be tested offline.
 */
import { parseDraftCell, type DraftRequestCell } from '../../draft/prompt.js';
import { DRAFT_SKELETONS, type ItemSkeleton } from './draft-catalog.js';
import { pick } from './random.js';
import type { SimPersona, SimReply } from './server.js';

export type DraftFault = 'nonsense' | 'flaky';

export interface DraftPersonaOptions {
  name?: string;
  /** nonsense: every reply is unusable; flaky: the first attempt of each draft is unusable. */
  fault?: DraftFault;
}

const FAULTS: ((item: Record<string, unknown>) => SimReply)[] = [
  () => ({ content: 'Here is a good question about lung cancer: what is the best treatment? Answer: it depends.' }),
  (item) => ({ content: JSON.stringify(item).slice(0, 200), finish_reason: 'length' }),
  (item) => ({ content: JSON.stringify({ ...item, rubric: { points: [], deductions: [] } }) }),
  (item) => ({ content: JSON.stringify({ ...item, category: 'surgery', rubric: { points: [{ id: 'x', text: 'y', score: 'high' }] } }) }),
];

export function createDraftPersona(options: DraftPersonaOptions = {}): SimPersona {
  let faults = 0;
  return {
    name: options.name ?? 'sim-drafter',
    description: options.fault ? `drafts question-bank items (${options.fault} replies)` : 'drafts question-bank items',
    reply(request, rng): SimReply {
      const cell = parseDraftCell(request.messages);
      if (!cell) return { content: 'I draft CAPS question-bank items; send a caps draft request.' };
      const item = draftItem(cell, rng);
      const faulty = options.fault === 'nonsense' || (options.fault === 'flaky' && cell.attempt === 1);
      // Faults take turns, so a batch of drafts meets every kind.
      return faulty ? FAULTS[faults++ % FAULTS.length](item) : { content: JSON.stringify(item) };
    },
  };
}

const AGES = [46, 52, 58, 61, 64, 67, 70, 73, 78];

function draftItem(cell: DraftRequestCell, rng: () => number): Record<string, unknown> {
  const fitting = DRAFT_SKELETONS.filter((s) => s.topics.includes(cell.topic));
  const skeleton = pick(fitting.length ? fitting : DRAFT_SKELETONS, rng);
  const age = pick(AGES, rng);
  const female = rng() < 0.5;
  const zh = cell.language === 'zh';
  const fill = (text: string, english: boolean) => text.replace('{age}', String(age)).replace('{sex}', english ? (female ? 'woman' : 'man') : female ? '女性' : '男性');
  const text = (t: { zh: string; en: string }): Record<string, string> => (zh ? { text: t.zh, text_en: t.en } : { text: t.en });
  const examples = (t: { zh: string; en: string }) => (zh ? [t.zh, t.en] : [t.en]);
  return {
    id: cell.id,
    topic: cell.topic,
    depth: cell.depth,
    category: skeleton.category,
    prompt: fill(zh ? skeleton.prompt.zh : skeleton.prompt.en, !zh),
    ...(zh ? { prompt_en: fill(skeleton.prompt.en, true) } : {}),
    reference: zh ? skeleton.reference.zh : skeleton.reference.en,
    ...(zh ? { reference_en: skeleton.reference.en } : {}),
    rubric: rubricOf(skeleton, text, examples),
  };
}

function rubricOf(skeleton: ItemSkeleton, text: (t: { zh: string; en: string }) => Record<string, string>, examples: (t: { zh: string; en: string }) => string[]): Record<string, unknown> {
  return {
    points: skeleton.points.map((p) => ({
      id: p.id,
      ...text(p.text),
      score: p.score,
      ...(p.critical ? { critical: true } : {}),
      evidence: p.evidence,
      match: { any: p.any },
      examples: { hit: examples(p.hit), miss: examples(p.miss) },
    })),
    deductions: skeleton.deductions.map((d) => ({ id: d.id, ...text(d.text), score: d.score, ...(d.safety ? { safety: true } : {}) })),
    ...(skeleton.veto ? { veto: [{ id: skeleton.veto.id, ...text(skeleton.veto.text) }] } : {}),
  };
}
