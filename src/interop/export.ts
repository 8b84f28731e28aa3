/**
 * Banks written back in the source formats: `caps export gaps` (xlsx, GAPS or community
 * layout) and `caps export healthbench` (JSONL). Import -> export -> import gives the same
 * bank for everything the source format can express; what it cannot (zero rules, vetoes,
 * variants, scores off the A/S scale, matchers) is left out and listed in `dropped`.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Bank } from '../bank/bank.js';
import { ADEQUACY_SCORES, CLEAN, SEVERITY_SCORES, type ChatMessage, type Item } from '../schema/bank.js';
import { UserError } from '../errors.js';
import { RunFolder } from '../io/run-folder.js';
import { writeSheet } from './xlsx.js';
import { COMMUNITY_COLUMNS, GAPS_COLUMNS, type GapsClaim } from './gaps.js';
import { CANARY_SOURCE, IDEAL_GROUP_PREFIX } from './healthbench.js';
import { deductionScore, pointScore } from '../scorer/rubric.js';

export interface ExportSummary {
  file: string;
  items: number;
  /** What the target format cannot hold, one line per item and entry. */
  dropped: string[];
}

const levelOfScore = <T extends string>(table: Record<T, number>, score: number): T | undefined =>
  (Object.keys(table) as T[]).find((level) => table[level] === score);

/** Claim id from an entry id: "c7" -> 7, anything else kept as text. */
function claimId(entryId: string): number | string {
  const m = /^c(\d+)$/.exec(entryId);
  return m ? Number(m[1]) : entryId;
}

function promptText(item: Item): string {
  if (typeof item.prompt === 'string') return item.prompt;
  return item.prompt.map((m) => (item.prompt.length === 1 ? m.content : `${m.role}: ${m.content}`)).join('\n\n');
}

function itemClaims(item: Item, dropped: string[]): GapsClaim[] {
  const claims: GapsClaim[] = [];
  for (const p of item.rubric.points) {
    const level = p.level ?? levelOfScore(ADEQUACY_SCORES, p.score!);
    if (!level) {
      dropped.push(`${item.id}: point ${p.id} scores ${p.score}, not on the A1/A2/A3 = 5/3/1 scale`);
      continue;
    }
    claims.push({ id: claimId(p.id), claim: p.text, level, type: 'positive', ...(p.note !== undefined && { desc: p.note }) });
  }
  for (const d of item.rubric.deductions) {
    const level = d.severity ?? levelOfScore(SEVERITY_SCORES, d.score!);
    if (!level) {
      dropped.push(`${item.id}: deduction ${d.id} scores ${d.score}, not on the S1..S4 = -1..-4 scale`);
      continue;
    }
    claims.push({ id: claimId(d.id), claim: d.text, level, type: 'negative', ...(d.note !== undefined && { desc: d.note }) });
  }
  for (const e of [...item.rubric.zero_if, ...item.rubric.veto]) dropped.push(`${item.id}: ${e.id} (zero rule or veto) has no GAPS form`);
  if (item.variants.length > 0) dropped.push(`${item.id}: ${item.variants.length} distraction variant(s) have no GAPS form`);
  const numeric = (c: GapsClaim) => (typeof c.id === 'number' ? c.id : Number.POSITIVE_INFINITY);
  return claims.sort((a, b) => numeric(a) - numeric(b));
}

const tagValue = (item: Item, prefix: string) => item.tags.find((t) => t.startsWith(prefix))?.slice(prefix.length);

export interface ExportGapsOptions {
  /** Run folder whose clean answers become <respondent>_answer columns (GAPS layout). */
  answers?: string;
  layout?: 'gaps' | 'gaps-community';
}

export async function exportGaps(bank: Bank, file: string, options: ExportGapsOptions = {}): Promise<ExportSummary> {
  const dropped: string[] = [];
  const community = options.layout ? options.layout === 'gaps-community' : bank.items.every((i) => tagValue(i, 'difficulty:') !== undefined);
  const answers = new Map<string, Map<string, string>>();
  if (options.answers) {
    for (const r of (await new RunFolder(options.answers).latestResponses()).values()) {
      if (r.variant !== CLEAN || r.turn !== 0 || r.sample !== 0 || r.text === null) continue;
      const byItem = answers.get(r.respondent) ?? new Map<string, string>();
      byItem.set(r.item, r.text);
      answers.set(r.respondent, byItem);
    }
  }
  const rows = bank.items.map((item): Record<string, string> => {
    const claims = itemClaims(item, dropped);
    if (community) {
      return {
        question: promptText(item),
        rubrics: JSON.stringify(claims),
        specialty: tagValue(item, 'specialty:') ?? item.topic,
        difficulty: tagValue(item, 'difficulty:') ?? (['简单', '中等', '困难'][item.depth - 1] || '困难'),
        source: item.source ?? '',
      };
    }
    if (item.depth < 1 || item.depth > 4) dropped.push(`${item.id}: depth ${item.depth} is outside G1..G4; written as G${Math.min(4, Math.max(1, item.depth))}`);
    const row: Record<string, string> = {
      index: item.id.startsWith('gaps-') ? item.id.slice('gaps-'.length) : item.id,
      question: promptText(item),
      分类: `G${Math.min(4, Math.max(1, item.depth))}`,
      rubrics: JSON.stringify(claims, null, 2),
    };
    for (const [respondent, byItem] of answers) row[`${respondent}_answer`] = byItem.get(item.id) ?? '';
    return row;
  });
  const header = community ? [...COMMUNITY_COLUMNS] : [...GAPS_COLUMNS, ...[...answers.keys()].map((r) => `${r}_answer`)];
  mkdirSync(dirname(file), { recursive: true });
  await writeSheet(file, { name: community ? '社区贡献数据' : 'Sheet1', header, rows });
  return { file, items: rows.length, dropped };
}

/** Criterion order: p<n>/d<n> by n (the source position), other entries after them in rubric order. */
function criterionOrder(id: string): number {
  const m = /^[pd](\d+)$/.exec(id);
  return m ? Number(m[1]) : Number.POSITIVE_INFINITY;
}

export function healthBenchRow(bank: Pick<Bank, 'system'>, item: Item, dropped: string[]): Record<string, unknown> {
  const entries = [...item.rubric.points, ...item.rubric.deductions].map((e, i) => ({ e, i }));
  entries.sort((a, b) => criterionOrder(a.e.id) - criterionOrder(b.e.id) || a.i - b.i);
  for (const e of [...item.rubric.zero_if, ...item.rubric.veto]) dropped.push(`${item.id}: ${e.id} (zero rule or veto) has no HealthBench form`);
  if (item.variants.length > 0) dropped.push(`${item.id}: ${item.variants.length} distraction variant(s) have no HealthBench form`);
  const system = item.system ?? bank.system;
  const messages: ChatMessage[] = typeof item.prompt === 'string' ? [{ role: 'user', content: item.prompt }] : item.prompt;
  const prompt = system && messages[0].role !== 'system' ? [{ role: 'system', content: system }, ...messages] : messages;
  const group = tagValue(item, IDEAL_GROUP_PREFIX);
  const canary = item.source?.startsWith(CANARY_SOURCE) ? item.source : undefined;
  return {
    example_tags: item.tags.filter((t) => !t.startsWith(IDEAL_GROUP_PREFIX)),
    ideal_completions_data: item.reference ? { ideal_completion: item.reference, ...(group !== undefined && { ideal_completions_group: group }) } : null,
    prompt: prompt.map((m) => ({ content: m.content, role: m.role })),
    prompt_id: item.id,
    rubrics: entries.map(({ e, i }) => ({ criterion: e.text, points: i < item.rubric.points.length ? pointScore(item.rubric.points[i]) : deductionScore(item.rubric.deductions[i - item.rubric.points.length]), tags: e.tags })),
    ...(canary !== undefined && { canary }),
  };
}

export function exportHealthBench(bank: Bank, file: string): ExportSummary {
  const dropped: string[] = [];
  if (bank.items.length === 0) throw new UserError(`bank ${bank.id} has no items to export.`);
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'w');
  try {
    for (const item of bank.items) writeSync(fd, `${JSON.stringify(healthBenchRow(bank, item, dropped))}\n`);
  } finally {
    closeSync(fd);
  }
  return { file, items: bank.items.length, dropped };
}
