/**
 * Whether a sentence asserts what it mentions. A scoring point, deduction or veto needs an
 * affirmed mention: a question ("是否应该直接手术？", "Should we operate?"), a hedge ("我不确定"),
 * a quotation of the rubric ("The rubric mentions: ...", "评分标准提到：...") or a list of
 * options the answer then declines ("... I recommend none of them.") says nothing about the
 * patient and earns nothing.
 *
 * Rules, per sentence of the answer (sentences.ts), in order:
 * - question: the sentence ends with ? or ？, or asks 是否 / 要不要 / 能否 without answering;
 * - hedge: 我不确定, 不确定是否, 我不清楚, 不好说, "I'm not sure", "unsure whether", "I don't know",
 *   up to the conclusion the sentence goes on to (所以, 因此, therefore), which is asserted;
 * - quotation: the sentence speaks of the rubric or the grading (rubric, scoring points, the
 *   grader, 评分标准, 得分点, 扣分点, 标准答案; not a clinical score such as ECOG评分); when it ends in a colon or continues past one, the quoted
 *   text runs on to the next full stop, line break or paragraph;
 * - declined list: a sentence that declines every option ("I recommend none of them", "以上均不推荐",
 *   "都不建议") makes the sentences of the list before it unasserted, back to the sentence that
 *   introduced the options (a colon, "options", "可选", "包括") or, without one, the sentence just before.
 */
import type { NormalizedText } from './normalize.js';
import type { SentenceSpan } from './sentences.js';

const QUESTION = /[?？]\s*[」』”’)）]*$|^(?:[^,，。]*?)(?:是否|要不要|能不能|能否|可否|should (?:we|i|you|the patient)|shall we|is it|would it)[^。.]*$/u;
const HEDGE =
  /我(?:也|并|真的)?不(?:太|很)?(?:确定|清楚|知道)|不(?:太|很)?确定(?:是否|该|要不要|能否)|不好说|说不准|拿不准|(?:i'm|i am) not (?:sure|certain)|not sure (?:whether|if)|unsure (?:whether|if)|i (?:don't|do not) know|uncertain (?:whether|if)/u;
/** A hedge the sentence then resolves ("我不确定能否耐受联合化疗，所以首选单药") asserts its conclusion. */
const RESOLVED = /所以|因此|因而|故(?:首选|建议|推荐)|therefore|, so (?:i|we)\b/iu;
const QUOTATION = /rubric|scoring (?:points?|criteria|guide)|the grader|grading criteria|marking scheme|评分标准|评分要点|评分细则|评分规则|得分点|扣分点|标准答案|答题要点/u;
const DECLINE_ALL = /(?:recommend|suggest|advise|endorse|support) none|none of (?:them|these|those|the above|the options)|neither of (?:them|these)|以上(?:均|都|全|皆)(?:不|非)|(?:均|都|全都|一概)不(?:推荐|建议|采用|考虑|选择)|一个都不|哪个都不/u;
const LIST_INTRO = /[:：]|options?|alternatives|choices|可选|选项|方案有|包括|如下|以下/u;
const FULL_STOP = /[。.!！]\s*[」』”’)）]*$/u;

export interface Assertion {
  /** Why the sentence does not assert what it mentions, or null when it does. */
  unasserted: string | null;
  /** Original offset where a resolved hedge's conclusion starts: from there on the sentence asserts. */
  until?: number;
}

/** First normalised index whose origin is at or after an original offset. */
function normalizedAt(origin: readonly number[], offset: number): number {
  let lo = 0;
  let hi = origin.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (origin[mid] < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sentences' assertions, read on the answer's normalised text (normalised once, for all sentences). */
export function sentenceAssertions(sentences: readonly SentenceSpan[], normalized: NormalizedText): Assertion[] {
  const norm = sentences.map((s) => normalized.text.slice(normalizedAt(normalized.origin, s.start), normalizedAt(normalized.origin, s.end)));
  const out: Assertion[] = norm.map((text, i) => {
    if (QUESTION.test(text)) return { unasserted: 'asked, not asserted' };
    if (HEDGE.test(text)) {
      const resolved = RESOLVED.exec(sentences[i].text);
      return { unasserted: 'hedged, not asserted', ...(resolved && { until: sentences[i].start + resolved.index }) };
    }
    return { unasserted: null };
  });
  // Quotations of the rubric, and what follows their colon up to a full stop.
  for (let i = 0; i < norm.length; i++) {
    if (!QUOTATION.test(norm[i])) continue;
    out[i] = { unasserted: 'quotes the rubric' };
    if (!/[:：]/u.test(norm[i]) || FULL_STOP.test(sentences[i].text)) continue;
    for (let j = i + 1; j < norm.length; j++) {
      out[j] = { unasserted: 'quotes the rubric' };
      if (FULL_STOP.test(sentences[j].text)) break;
    }
  }
  // Options listed, then declined together.
  for (let i = 1; i < norm.length; i++) {
    if (!DECLINE_ALL.test(norm[i])) continue;
    let from = i - 1;
    for (let j = i - 1; j >= Math.max(0, i - 12); j--) {
      if (LIST_INTRO.test(norm[j])) {
        from = j;
        break;
      }
    }
    for (let j = from; j < i; j++) out[j] = { unasserted: out[j].unasserted ?? 'listed as an option, then declined' };
  }
  return out;
}
