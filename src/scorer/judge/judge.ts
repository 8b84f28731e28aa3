/**
 * The LLM judge: one call per answer grades every rubric entry at once, through the same
 * endpoint client as the runner. The reply is validated strictly (retried when invalid),
 * and each "met" must carry a quote that is evidence read in its sentence (matching/evidence.ts):
 * in the answer, on the entry's topic, asserted and not negated. A quote that fails is a
 * judge fault and the entry counts as not met; a judge that cannot give a valid judgement is
 * an error for that answer, never a "not met".
 */
import type { ChatMessage } from '../../schema/bank.js';
import type { JudgeFault, Opinion } from '../../schema/score.js';
import type { ChatRequest, ChatResult, EndpointClient } from '../../endpoints/client.js';
import { JudgeOutput, parseJudgeOutput, type JudgeVerdictOutput } from './output.js';
import { renderJudgePrompt, type JudgeEntry, type JudgeTemplate } from './template.js';
import { checkEvidence } from '../../matching/evidence.js';
import { prepareAnswer, type PreparedAnswer } from '../../matching/matcher.js';
import { phrasesOf } from '../../matching/vocabulary.js';

export const DEFAULT_JUDGE_RETRIES = 2;

export interface JudgeAnswerInput {
  client: EndpointClient;
  template: JudgeTemplate;
  /** The messages the respondent saw. */
  question: ChatMessage[];
  answer: string;
  entries: JudgeEntry[];
  /** Extra attempts after an invalid reply (default 2). */
  retries?: number;
  signal?: AbortSignal;
  /** The answer's key, passed with each request (batch request maps name it). */
  label?: string;
}

export interface JudgeResult {
  judge: string;
  model: string;
  template: string;
  /** Opinions by entry id; null when the judge failed (see error). */
  opinions: Map<string, Opinion> | null;
  error?: string;
  faults: JudgeFault[];
  /** Chat calls made (0 when there was nothing to judge). */
  calls: number;
}

let structuredFormat: Promise<unknown> | undefined;
/** The judge's `response_format`, made on the first judge call: matcher-only scoring never loads the openai helpers. */
function judgeResponseFormat(): Promise<unknown> {
  return (structuredFormat ??= import('openai/helpers/zod').then(({ zodResponseFormat }) => zodResponseFormat(JudgeOutput, 'caps_judgement')));
}
/** Endpoints found to reject `response_format`: asked for plain JSON from then on. */
const withoutStructuredOutputs = new WeakSet<EndpointClient>();

export async function judgeAnswer(input: JudgeAnswerInput): Promise<JudgeResult> {
  const { client, template, entries } = input;
  const result: JudgeResult = { judge: client.name, model: client.model, template: template.ref, opinions: null, faults: [], calls: 0 };
  if (entries.length === 0) return { ...result, opinions: new Map() };
  const ids = entries.map((e) => e.id);
  const prompt = renderJudgePrompt(template, { question: input.question, answer: input.answer, entries });
  const attempts = 1 + (input.retries ?? DEFAULT_JUDGE_RETRIES);
  let messages = prompt;
  let lastProblem = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const reply = await ask(client, { messages, signal: input.signal, label: input.label }, () => result.calls++);
    if (reply.error) {
      const detail = `${reply.error.kind}${reply.error.status ? ` ${reply.error.status}` : ''}: ${reply.error.message}`;
      result.faults.push({ judge: client.name, kind: 'endpoint', detail });
      return { ...result, error: `judge ${client.name} failed (${detail})` };
    }
    if (reply.servedModel) result.model = reply.servedModel;
    const parsed = parseJudgeOutput(reply.text, ids);
    if (parsed.ok) {
      const answer = prepareAnswer(input.answer);
      result.opinions = new Map(entries.map((e) => [e.id, toOpinion(parsed.verdicts.get(e.id)!, e, answer, result, client.name)]));
      return result;
    }
    lastProblem = parsed.problem;
    result.faults.push({ judge: client.name, kind: 'invalid-output', detail: `attempt ${attempt}: ${parsed.problem}` });
    // Show the judge its invalid reply and what was wrong: models usually fix it in one turn.
    messages = [
      ...prompt,
      { role: 'assistant', content: reply.text?.trim() || '(empty reply)' },
      {
        role: 'user',
        content: `Your reply was not valid (${parsed.problem}). Reply again with only the JSON object, one verdict for each of these entry ids and no others: ${ids.join(', ')}.`,
      },
    ];
  }
  return { ...result, error: `judge ${client.name} gave no valid judgement in ${attempts} attempts (last: ${lastProblem})` };
}

/** Asks with structured outputs, falling back to plain JSON for servers that reject them. */
async function ask(client: EndpointClient, request: ChatRequest, counted: () => void): Promise<ChatResult> {
  if (!withoutStructuredOutputs.has(client)) {
    counted();
    const reply = await client.chat({ ...request, responseFormat: await judgeResponseFormat() });
    if (!(reply.error?.kind === 'client' && (reply.error.status === 400 || reply.error.status === 422))) return reply;
    // Remembered only once plain JSON works: a 400 for another reason (e.g. a prompt too long) changes nothing.
    counted();
    const plain = await client.chat(request);
    if (!plain.error) withoutStructuredOutputs.add(client);
    return plain;
  }
  counted();
  return client.chat(request);
}

function toOpinion(verdict: JudgeVerdictOutput, entry: JudgeEntry, answer: PreparedAnswer, result: JudgeResult, judge: string): Opinion {
  const base = { judge, model: result.model, template: result.template, rationale: verdict.rationale };
  if (!verdict.met) return { ...base, met: false, quotes: [] };
  // The matcher's phrases and patterns, and the examples that meet it, name the entry too (vocabulary names, code names, spellings).
  const phrases = [...(entry.match ? [...phrasesOf(entry.match).map((p) => p.phrase), ...[entry.match.regex ?? []].flat()] : []), ...(entry.examples?.hit ?? [])];
  const check = checkEvidence(answer, verdict.quote, { kind: entry.kind, text: entry.text, text_en: entry.text_en, phrases });
  if (check.ok) return { ...base, met: true, quotes: [verdict.quote], citations: check.citations };
  result.faults.push({ judge, entry: verdict.entry, kind: check.fault, detail: check.detail });
  // The quote the judge gave, where it stands, so a reader sees what it cut or misread.
  return { ...base, met: false, quotes: [], fault: `${check.detail}; counted as not met`, ...(check.citations.length > 0 && { citations: check.citations }) };
}
