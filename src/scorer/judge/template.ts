/**
 * Versioned judge prompt templates (`rubrics/judge/*.yaml`). A template has a system
 * message and a user message with a `{{case_json}}` slot; the case (question, answer,
 * rubric entries) is inserted as JSON so that nothing in an answer can break out of it.
 */
import { existsSync } from 'node:fs';
import { readUtf8File } from '../../io/text.js';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { ChatMessage, EntryKind, MatchSpec } from '../../schema/bank.js';
import { UserError } from '../../errors.js';
import { PACKAGE_ROOT } from '../../version.js';
import { sha256 } from '../../io/hash.js';

export const DEFAULT_JUDGE_TEMPLATE = 'caps-judge';
const CASE_SLOT = '{{case_json}}';
/** The line after which the user message carries the case JSON (the simulated judge reads it back). */
export const CASE_MARKER = 'CASE_JSON:';

const JudgeTemplateFile = z.strictObject({
  id: z.string().min(1),
  version: z.union([z.string(), z.number()]).transform(String),
  system: z.string().min(1),
  user: z.string().refine((u) => u.includes(`${CASE_MARKER}\n${CASE_SLOT}`), {
    message: `the user message must end its instructions with the line "${CASE_MARKER}" followed by the line "${CASE_SLOT}"`,
  }),
});

export interface JudgeTemplate {
  id: string;
  version: string;
  /** "id@version", recorded with every judge verdict. */
  ref: string;
  system: string;
  user: string;
  /** Hash of the template text: a changed template invalidates earlier judgements even if its version was not bumped. */
  hash: string;
  path: string;
}

/** One rubric entry as the judge sees it. */
export interface JudgeEntry {
  id: string;
  kind: EntryKind;
  text: string;
  text_en?: string;
  /** The entry's matcher and examples, when it has them: their words count as the entry's when a quote is checked (never sent to the judge). */
  match?: MatchSpec;
  examples?: { hit: string[] };
}

export interface JudgeCase {
  question: ChatMessage[];
  answer: string;
  entries: JudgeEntry[];
}

/** Loads a template by name (from `rubrics/judge/`) or by file path; the default is caps-judge. */
export function loadJudgeTemplate(nameOrPath: string = DEFAULT_JUDGE_TEMPLATE): JudgeTemplate {
  const isPath = /[\\/]/.test(nameOrPath) || /\.ya?ml$/.test(nameOrPath);
  const path = isPath ? nameOrPath : join(PACKAGE_ROOT, 'rubrics', 'judge', `${nameOrPath}.yaml`);
  if (!existsSync(path)) {
    throw new UserError(`judge template "${nameOrPath}" not found (${path}); give a file path or a name from rubrics/judge/.`);
  }
  const text = readUtf8File(path);
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new UserError(`${path}: not valid YAML (${(err as Error).message}).`);
  }
  const parsed = JudgeTemplateFile.safeParse(raw);
  if (!parsed.success) {
    throw new UserError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'template'}: ${i.message}`).join('; ')}`);
  }
  const { id, version, system, user } = parsed.data;
  return { id, version, ref: `${id}@${version}`, system, user, hash: sha256(text), path };
}

/** The judge's messages for one answer. */
export function renderJudgePrompt(template: JudgeTemplate, judgeCase: JudgeCase): ChatMessage[] {
  const caseJson = JSON.stringify({
    question: judgeCase.question.map((m) => ({ role: m.role, content: m.content })),
    answer: judgeCase.answer,
    entries: judgeCase.entries.map((e) => ({ id: e.id, kind: e.kind, text: e.text, ...(e.text_en ? { text_en: e.text_en } : {}) })),
  });
  return [
    { role: 'system', content: template.system },
    { role: 'user', content: template.user.replace(CASE_SLOT, () => caseJson) },
  ];
}

const CaseSchema = z.object({
  question: z.array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() })),
  answer: z.string(),
  entries: z.array(z.object({ id: z.string(), kind: z.enum(['point', 'deduction', 'zero', 'veto']), text: z.string(), text_en: z.string().optional() })),
});

/** Reads the case back from a rendered judge prompt; null when the messages are not a judge prompt. */
export function parseJudgeCase(messages: readonly { role: string; content: string | null }[]): JudgeCase | null {
  for (const message of messages) {
    if (message.role !== 'user' || !message.content) continue;
    const at = message.content.indexOf(`${CASE_MARKER}\n`);
    if (at < 0) continue;
    const line = message.content.slice(at + CASE_MARKER.length + 1).split('\n')[0];
    try {
      const parsed = CaseSchema.safeParse(JSON.parse(line));
      if (parsed.success) return parsed.data as JudgeCase;
    } catch {
      // not JSON: keep looking
    }
  }
  return null;
}
