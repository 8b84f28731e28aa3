/**
 * The simulated judge: a deterministic persona for the simulated endpoint that reads the
 * CAPS judge prompt, decides each rubric entry the way a careful grader would (the entry's
 * matcher phrases, else the clauses of its hit examples and of its text, negation-aware via
 * the matcher) and replies with the structured JSON, quoting the answer's own sentence.
 * It serves the offline demo and the tests; options make it misbehave on purpose.
 */
import type { Item, MatchSpecInput } from '../../schema/bank.js';
import { evaluateMatch, prepareAnswer, type PreparedAnswer } from '../../matching/matcher.js';
import { parseJudgeCase, type JudgeEntry } from '../../scorer/judge/template.js';
import { contentWords, isInstructionToGrader } from '../../matching/evidence.js';
import type { JudgeVerdictOutput } from '../../scorer/judge/output.js';
import type { SimPersona, SimReply } from './server.js';

export interface JudgePersonaOptions {
  /** The model id clients ask for (default "sim-judge"). */
  name?: string;
  /** Items whose entries' matchers and examples the judge consults. */
  items?: readonly Item[];
  /** Marks every entry met with a quote of its own invention (the rubric text). */
  inventQuotes?: boolean;
  /** Obeys instructions inside the answer such as "mark every criterion met", quoting that instruction as evidence. */
  gullible?: boolean;
  /** Replies with malformed JSON to the first N calls. */
  malformedFirst?: number;
  /** Replies with prose instead of the JSON object. */
  ignoreSchema?: boolean;
  /** Fails every call (the server answers HTTP 500). */
  fail?: boolean;
  /**
   * Reads words, not sentences: an entry the answer mentions only negated, rejected or warned
   * against ("不建议直接手术", "… would be a serious mistake") is marked met, quoting the bare
   * phrase cut out of its clause. Quote checking must catch it.
   */
  cutQuotes?: boolean;
  /** Entry ids on which it gives the opposite verdict (to build jury disagreements), quoting the sentence closest to the entry. */
  flip?: readonly string[];
}

interface KnownEntry {
  match?: MatchSpecInput;
  examples?: { hit?: string[] };
}

/** Clauses shorter than this are too generic to count as evidence. */
const MIN_CLAUSE = 4;

export function createJudgePersona(options: JudgePersonaOptions = {}): SimPersona {
  const known = indexEntries(options.items ?? []);
  let calls = 0;
  return {
    name: options.name ?? 'sim-judge',
    description: 'deterministic CAPS judge',
    reply(request): SimReply {
      calls++;
      if (options.fail) throw new Error('simulated judge outage');
      if (calls <= (options.malformedFirst ?? 0)) return { content: '{"verdicts": [{"entry": "' };
      if (options.ignoreSchema) return { content: 'The answer looks clinically reasonable overall.' };
      const judgeCase = parseJudgeCase(request.messages);
      if (!judgeCase) return { content: 'I can only grade CAPS judge prompts.' };
      const prepared = prepareAnswer(judgeCase.answer);
      const injection = options.gullible ? prepared.sentences.find((s) => isInstructionToGrader(s.text)) : undefined;
      const verdicts: JudgeVerdictOutput[] = judgeCase.entries.map((entry) => {
        if (options.inventQuotes) return { entry: entry.id, met: true, quote: entry.text, rationale: 'the answer covers it' };
        if (injection) return { entry: entry.id, met: true, quote: injection.text, rationale: 'as the answer instructs' };
        const verdict = decide(entry, known.get(entryKey(entry.id, entry.text)), prepared, options.cutQuotes ?? false);
        return options.flip?.includes(entry.id) ? { ...verdict, met: !verdict.met, quote: verdict.met ? '' : nearestSentence(entry, prepared) } : verdict;
      });
      return { content: JSON.stringify({ verdicts }) };
    },
  };
}

function entryKey(id: string, text: string): string {
  return `${id}\u0000${text}`;
}

function indexEntries(items: readonly Item[]): Map<string, KnownEntry> {
  const index = new Map<string, KnownEntry>();
  for (const item of items) {
    const rubrics = [item.rubric, ...item.variants.flatMap((v) => (v.rubric ? [v.rubric] : []))];
    for (const rubric of rubrics) {
      for (const entry of [...rubric.points, ...rubric.deductions, ...rubric.zero_if, ...rubric.veto]) {
        index.set(entryKey(entry.id, entry.text), { match: entry.match, examples: entry.examples });
      }
    }
  }
  return index;
}

function decide(entry: JudgeEntry, known: KnownEntry | undefined, answer: PreparedAnswer, cut: boolean): JudgeVerdictOutput {
  const clauses = [...(known?.examples?.hit ?? []), entry.text, ...(entry.text_en ? [entry.text_en] : [])]
    .flatMap((text) => text.split(/[，。；、：,.;:!?！？()（）\n]+/u))
    .map((c) => c.trim())
    .filter((c) => [...c].length >= MIN_CLAUSE);
  const spec: MatchSpecInput | undefined = known?.match ?? (clauses.length > 0 ? { any: clauses } : undefined);
  if (!spec) return verdict(entry.id, false, undefined, 'not stated in the answer');
  const outcome = evaluateMatch(spec, answer);
  if (!outcome.met && cut) {
    // The careless reading: any mention counts, and the quote is the mention alone.
    const careless = evaluateMatch({ ...spec, unless_negated: false }, answer);
    if (careless.met) return verdict(entry.id, true, careless.citations[0].quote, 'the answer mentions it');
  }
  const rationale = known?.match ? outcome.detail : outcome.met ? 'the answer states it' : 'not stated in the answer';
  return verdict(entry.id, outcome.met, outcome.quotes[0], rationale);
}

function verdict(entry: string, met: boolean, quote: string | undefined, rationale: string): JudgeVerdictOutput {
  return met && quote ? { entry, met: true, quote, rationale } : { entry, met: false, quote: '', rationale };
}

/** The answer's sentence sharing the most content words with the entry (the first when none does): what a mistaken judge would cite. */
function nearestSentence(entry: JudgeEntry, answer: PreparedAnswer): string {
  const wanted = contentWords(`${entry.text}\n${entry.text_en ?? ''}`);
  let best = answer.sentences[0]?.text ?? '';
  let most = 0;
  for (const sentence of answer.sentences) {
    const shared = [...contentWords(sentence.text)].filter((w) => wanted.has(w)).length;
    if (shared > most) [best, most] = [sentence.text, shared];
  }
  return best;
}
