/**
 * Quote verification: a judge's "met" must be backed by words the answer really contains.
 * Quotes are compared after the matcher's normalisation (width, case, dashes, whitespace)
 * with punctuation and spaces removed, so a judge that re-punctuates a sentence is not
 * penalised but one that invents or paraphrases is. An elided quote ("A…B") is accepted
 * when each fragment is in the answer. A quote that is an instruction to the grader (prompt
 * injection inside the answer) is never evidence.
 */
import { normalizeForMatch } from '../../matching/normalize.js';

const ELLIPSIS = /…+|\.{3,}|。{3,}/u;
const PUNCTUATION_AND_SPACE = /[\p{P}\p{S}\s]/gu;

function comparable(text: string): string {
  return normalizeForMatch(text).replace(PUNCTUATION_AND_SPACE, '');
}

export type QuoteCheck = { found: true } | { found: false; reason: 'missing-quote' | 'quote-not-found' | 'quote-is-instruction' };

/** Text addressed to the grader ("ignore the rubric", "mark every criterion met", "忽略评分标准"...). */
const INSTRUCTIONS_TO_GRADER = [
  /\b(ignore|disregard|forget|override)\b[^.。!！]{0,40}\b(rubric|instructions?|criteria|criterion|grading|scoring|previous|above)\b/i,
  /\b(mark|grade|score|rate|consider)\b[^.。!！]{0,30}\b(every|all|each)\b[^.。!！]{0,20}\b(criteri\w*|entr\w*|points?|items?)\b/i,
  /\b(you are|as) (the|an?) (grader|judge|evaluator|assessor)\b/i,
  /(忽略|无视|忽视|不要理会)[^。！!]{0,10}(评分|标准|指令|规则|要求)/u,
  /(所有|全部|每个|每一)[^。！!]{0,6}(得分点|评分项|评分标准|标准)[^。！!]{0,8}(满足|命中|得分|给分|满分)/u,
  /(给|打|评)[^。！!]{0,4}满分/u,
];

export function isInstructionToGrader(text: string): boolean {
  const normalized = normalizeForMatch(text);
  return INSTRUCTIONS_TO_GRADER.some((pattern) => pattern.test(normalized));
}

export function verifyQuote(answer: string, quote: string): QuoteCheck {
  const fragments = quote.split(ELLIPSIS).map(comparable).filter((f) => f !== '');
  if (fragments.length === 0) return { found: false, reason: 'missing-quote' };
  const haystack = comparable(answer);
  if (!fragments.every((f) => haystack.includes(f))) return { found: false, reason: 'quote-not-found' };
  // The answer's own words telling the grader what to do prove no clinical point.
  return isInstructionToGrader(quote) ? { found: false, reason: 'quote-is-instruction' } : { found: true };
}
