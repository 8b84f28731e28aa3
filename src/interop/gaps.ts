/**
 * GAPS spreadsheets (the published form of the CAPS method) into a bank with the `gaps`
 * profile, and recorded answers into a run folder.
 *
 * Two layouts are read:
 * - the GAPS bank (`index, question, 分类, rubrics, <model>_answer...`): depth from 分类
 *   (G1..G4 -> 1..4), item id `gaps-<index>`, one respondent per answer column;
 * - the community file (`question, rubrics, specialty, difficulty, source`): no G level, so
 *   depth follows the difficulty (简单/easy -> 1, 中等/medium -> 2, 困难/hard -> 3; the
 *   original word is kept as a `difficulty:` tag), item id `gaps-<hash of the question>`,
 *   topic = specialty.
 * Claims become entries `c<claim id>`: positive claims scoring points with their A level,
 * negative claims deductions with their S level; S4 deductions are veto candidates (`veto:
 * true`): a plain -4 under the gaps profile, a veto in the caps view. Claims carry no
 * matcher, so the judge decides them.
 */
import { z } from 'zod';
import type { BankFileInput, ItemInput } from '../schema/bank.js';
import { ADEQUACY_SCORES, SEVERITY_SCORES, UnscoredLevel } from '../schema/bank.js';
import { UserError } from '../errors.js';
import { readSheet, type Sheet, type SheetRecord } from './xlsx.js';
import { importedBankId, looksChinese, shortHash } from './ids.js';

/** What each claim field accepts, for messages that name the value refused. */
const CLAIM_FIELDS: Record<string, string> = {
  id: 'a whole number or a plain id (letters, digits, ".", "_", "-")',
  claim: 'the claim text',
  level: 'A1, A2 or A3 (positive claims), S1..S4 (negative claims), or another letter-and-number level such as A4 (kept, worth 0 points as in the GAPS reference)',
  type: 'positive or negative',
  desc: 'text',
};

export const GapsClaim = z.object({
  id: z.union([z.number().int().nonnegative(), z.string().regex(/^[A-Za-z0-9._-]+$/)]),
  claim: z.string().trim().min(1),
  level: z.string().trim().toUpperCase().pipe(UnscoredLevel),
  type: z.enum(['positive', 'negative']),
  desc: z.string().optional(),
});
export type GapsClaim = z.infer<typeof GapsClaim>;

export type GapsLayout = 'gaps' | 'gaps-community';

export const GAPS_COLUMNS = ['index', 'question', '分类', 'rubrics'] as const;
export const COMMUNITY_COLUMNS = ['question', 'rubrics', 'specialty', 'difficulty', 'source'] as const;
const ANSWER_SUFFIX = '_answer';

/** Community difficulty words -> depth level (documented in docs/interop.md). */
export const DIFFICULTY_DEPTH: Record<string, number> = { 简单: 1, easy: 1, 中等: 2, medium: 2, 困难: 3, hard: 3 };

export interface GapsAnswer {
  respondent: string;
  item: string;
  text: string;
}

export interface GapsReadResult {
  layout: GapsLayout;
  bank: BankFileInput;
  /** Recorded answers, one respondent per answer column (GAPS layout only). */
  answers: GapsAnswer[];
  respondents: string[];
  warnings: string[];
}

export interface ReadGapsOptions {
  /** Default: see importedBankId. */
  bankId?: string;
  /** The bank file the import will write (its bank id is kept on re-import). */
  out?: string;
  /** Topic of every item of the GAPS layout, which has no topic column (default "general"). */
  topic?: string;
  sheet?: string;
}

export function gapsDepthLabels(): Record<string, string> {
  return { '1': 'G1', '2': 'G2', '3': 'G3', '4': 'G4' };
}

export async function readGaps(file: string, options: ReadGapsOptions = {}): Promise<GapsReadResult> {
  const sheet = await readSheet(file, options.sheet);
  const layout = detectLayout(file, sheet);
  const warnings: string[] = [];
  const answerColumns = layout === 'gaps' ? sheet.header.filter((h) => h.endsWith(ANSWER_SUFFIX) && h.length > ANSWER_SUFFIX.length) : [];
  const respondents = answerColumns.map((c) => c.slice(0, -ANSWER_SUFFIX.length));
  const items: ItemInput[] = [];
  const answers: GapsAnswer[] = [];
  const rows = new Map<string, number>();
  for (const record of sheet.records) {
    const where = `${file}: sheet ${sheet.name}, row ${record.row}`;
    const item = layout === 'gaps' ? gapsItem(record, where, options.topic ?? 'general') : communityItem(record, where);
    const first = rows.get(item.id);
    if (first !== undefined) throw new UserError(`${where}: item id "${item.id}" again (first on row ${first}); ${layout === 'gaps' ? 'each index must be unique' : 'the same question appears twice'}.`);
    rows.set(item.id, record.row);
    items.push(item);
    for (const e of [...item.rubric.points.map((p) => ({ id: p.id, level: p.level })), ...(item.rubric.deductions ?? []).map((d) => ({ id: d.id, level: d.severity }))]) {
      if (e.level && !(e.level in ADEQUACY_SCORES) && !(e.level in SEVERITY_SCORES)) warnings.push(`${where}: claim ${e.id.slice(1)} has level ${e.level}, which the GAPS points table does not define; kept, it counts 0 points (as in the GAPS reference).`);
    }
    answerColumns.forEach((column, i) => {
      const text = record.values[column] ?? '';
      if (text.trim() === '') warnings.push(`${where}: no ${respondents[i]} answer to ${item.id}; left out.`);
      else answers.push({ respondent: respondents[i], item: item.id, text });
    });
  }
  if (items.length === 0) throw new UserError(`${file}: sheet ${sheet.name} has no question rows.`);
  const chinese = items.filter((i) => looksChinese(String(i.prompt))).length;
  const language = chinese * 2 >= items.length ? 'zh' : 'en';
  for (const item of items) {
    const own = looksChinese(String(item.prompt)) ? 'zh' : 'en';
    if (own !== language) item.language = own;
  }
  const bank: BankFileInput = {
    bank: importedBankId('gaps', items.map((i) => i.id), options.bankId, options.out),
    version: 1,
    // No file name here: it would make the bank's hash depend on what the sheet is called.
    title: layout === 'gaps' ? 'GAPS question bank' : 'GAPS community contributions',
    description: `Imported from a GAPS spreadsheet (${layout === 'gaps' ? 'GAPS layout' : 'GAPS community layout'}).`,
    language,
    profile: 'gaps',
    depth_scale: { min: 1, max: 4, labels: gapsDepthLabels() },
    items,
  };
  return { layout, bank, answers, respondents, warnings };
}

function detectLayout(file: string, sheet: Sheet): GapsLayout {
  const has = (columns: readonly string[]) => columns.every((c) => sheet.header.includes(c));
  if (has(GAPS_COLUMNS)) return 'gaps';
  if (has(COMMUNITY_COLUMNS)) return 'gaps-community';
  throw new UserError(
    `${file}: sheet ${sheet.name} is neither the GAPS layout (columns ${GAPS_COLUMNS.join(', ')}, then <model>_answer columns) ` +
      `nor the GAPS community layout (columns ${COMMUNITY_COLUMNS.join(', ')}); its columns are ${sheet.header.join(', ') || 'none'}.`,
  );
}

function required(record: SheetRecord, column: string, where: string): string {
  const value = (record.values[column] ?? '').trim();
  if (value === '') throw new UserError(`${where}: the ${column} cell is empty.`);
  return value;
}

function gapsItem(record: SheetRecord, where: string, topic: string): ItemInput {
  const index = required(record, 'index', where);
  if (!/^[A-Za-z0-9._-]+$/.test(index)) throw new UserError(`${where}: index "${index}" must be a number or a plain id (letters, digits, ".", "_", "-").`);
  const level = required(record, '分类', where).toUpperCase();
  const match = /^G([1-4])$/.exec(level);
  if (!match) throw new UserError(`${where}: 分类 is "${level}"; write the depth level G1, G2, G3 or G4.`);
  return {
    id: `gaps-${index}`,
    topic,
    depth: Number(match[1]),
    prompt: required(record, 'question', where),
    rubric: rubricOf(parseClaims(required(record, 'rubrics', where), where)),
  };
}

function communityItem(record: SheetRecord, where: string): ItemInput {
  const question = required(record, 'question', where);
  const difficulty = required(record, 'difficulty', where);
  const depth = DIFFICULTY_DEPTH[difficulty.toLowerCase()];
  if (depth === undefined) throw new UserError(`${where}: difficulty is "${difficulty}"; write 简单, 中等 or 困难 (or easy, medium, hard).`);
  const specialty = required(record, 'specialty', where);
  const source = (record.values.source ?? '').trim();
  return {
    id: `gaps-${shortHash(question)}`,
    topic: specialty,
    depth,
    prompt: question,
    rubric: rubricOf(parseClaims(required(record, 'rubrics', where), where)),
    tags: [`specialty:${specialty}`, `difficulty:${difficulty}`],
    ...(source !== '' && { source }),
  };
}

/** The rubrics cell: a JSON array of claims. */
export function parseClaims(text: string, where: string): GapsClaim[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${where}: the rubrics cell is not valid JSON (${(err as Error).message}); it must be an array of {id, claim, level, type}.`);
  }
  if (!Array.isArray(json) || json.length === 0) throw new UserError(`${where}: the rubrics cell must be a non-empty JSON array of {id, claim, level, type}.`);
  const seen = new Set<string>();
  return json.map((raw, i) => {
    const parsed = GapsClaim.safeParse(raw);
    const named = raw && typeof raw === 'object' && 'id' in raw ? ` (id ${JSON.stringify((raw as { id: unknown }).id)})` : '';
    if (!parsed.success) {
      const field = String(parsed.error.issues[0].path[0] ?? '');
      const value = raw && typeof raw === 'object' && field in raw ? JSON.stringify((raw as Record<string, unknown>)[field]) : 'missing';
      const accepted = CLAIM_FIELDS[field] ?? 'an object {id, claim, level, type[, desc]}';
      throw new UserError(`${where}: rubrics column, claim ${i + 1}${named}: ${field || 'the claim'} is ${field ? value : JSON.stringify(raw)}; write ${accepted}.`);
    }
    const claim = parsed.data;
    // A level of the GAPS table must suit the claim's type; any other level is kept and counts 0.
    const mismatch = claim.type === 'positive' ? claim.level in SEVERITY_SCORES : claim.level in ADEQUACY_SCORES;
    if (mismatch) {
      throw new UserError(`${where}: rubrics column, claim ${i + 1}${named}: level is "${claim.level}" on a ${claim.type} claim; positive claims take A1..A3, negative claims S1..S4 (or change type).`);
    }
    if (seen.has(String(claim.id))) throw new UserError(`${where}: rubrics column, claim ${i + 1}: id ${claim.id} is used twice; give each claim of a question its own id.`);
    seen.add(String(claim.id));
    return claim;
  });
}

function rubricOf(claims: GapsClaim[]): ItemInput['rubric'] {
  const entry = (c: GapsClaim) => ({ id: `c${c.id}`, text: c.claim, ...(c.desc !== undefined && c.desc.trim() !== '' && { note: c.desc }) });
  const points = claims.filter((c) => c.type === 'positive').map((c) => ({ ...entry(c), level: c.level }));
  const deductions = claims.filter((c) => c.type === 'negative').map((c) => ({ ...entry(c), severity: c.level, ...(c.level === 'S4' && { veto: true }) }));
  return { points, deductions };
}
