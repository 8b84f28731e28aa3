/**
 * The judge's structured output and its strict validation. The same zod schema drives
 * `openai` structured outputs and the JSON fallback for servers without them.
 */
import { z } from 'zod';

export const JudgeVerdictOutput = z.object({
  entry: z.string().describe('the rubric entry id'),
  met: z.boolean(),
  quote: z.string().describe('verbatim quote from the answer proving a met verdict; empty when not met'),
  rationale: z.string().describe('one short sentence'),
});
export type JudgeVerdictOutput = z.infer<typeof JudgeVerdictOutput>;

export const JudgeOutput = z.object({ verdicts: z.array(JudgeVerdictOutput) });
export type JudgeOutput = z.infer<typeof JudgeOutput>;

export type ParsedJudgeOutput = { ok: true; verdicts: Map<string, JudgeVerdictOutput> } | { ok: false; problem: string };

/**
 * Returns the first complete JSON object in `text` (the whole text when it is one), so a
 * reply wrapped in prose or a code fence still parses; null when there is none.
 */
export function extractFirstJsonObject(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    // fall through to scanning
  }
  for (let start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
    const end = matchingBrace(text, start);
    if (end < 0) return null;
    try {
      return JSON.parse(text.slice(start, end + 1));
    } catch {
      // a brace inside prose: try the next one
    }
  }
  return null;
}

/** Index of the brace closing the object that opens at `start`, honouring JSON strings; -1 if unclosed. */
function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return -1;
}

/**
 * Validates a judge reply against the schema and the entries asked: every id exactly once,
 * no unknown id. Anything else is invalid output, to be retried.
 */
export function parseJudgeOutput(text: string | null, entryIds: readonly string[]): ParsedJudgeOutput {
  // Reasoning models may think aloud before answering; their notes are not the answer.
  const reply = text?.replace(/<think>[\s\S]*?<\/think>/g, '') ?? '';
  if (reply.trim() === '') return { ok: false, problem: 'empty reply' };
  const json = extractFirstJsonObject(reply);
  if (json === null) return { ok: false, problem: 'no JSON object in the reply' };
  const parsed = JudgeOutput.safeParse(json);
  if (!parsed.success) {
    return { ok: false, problem: `reply does not fit the schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  }
  const wanted = new Set(entryIds);
  const verdicts = new Map<string, JudgeVerdictOutput>();
  for (const verdict of parsed.data.verdicts) {
    if (!wanted.has(verdict.entry)) return { ok: false, problem: `unknown entry id "${verdict.entry}"` };
    if (verdicts.has(verdict.entry)) return { ok: false, problem: `entry "${verdict.entry}" graded twice` };
    verdicts.set(verdict.entry, verdict);
  }
  const missing = entryIds.filter((id) => !verdicts.has(id));
  if (missing.length > 0) return { ok: false, problem: `no verdict for ${missing.map((id) => `"${id}"`).join(', ')}` };
  return { ok: true, verdicts };
}
