/**
 * Negation awareness: whether an occurrence of a rubric phrase in a (normalised) answer is
 * negated by a cue shortly before it in the same clause ("不建议直接手术", "do not operate").
 *
 * Rules, in the order they apply:
 * - The clause ends at 。;,.!? (full-width forms are normalised to these) and at line breaks;
 *   a contrast word (但/而是/然而/不过/可是/却, but/however/although/whereas) also starts a
 *   new clause, so "不是化疗，而是手术" and "not chemotherapy but surgery" keep "手术"/"surgery".
 * - Fixed terms that merely begin with a negation character are words, not cues:
 *   无进展 (生存), 非小细胞, 不良 (反应), 不仅, 非常, non-small, not only... An occurrence
 *   that starts inside such a term is part of that term and is not an occurrence at all
 *   ("小细胞" in "非小细胞肺癌", "small cell" in "non-small cell").
 * - The window looks back `window` characters (default 6); an English word counts as 1.5
 *   characters, so the default is six Chinese characters or four English words. A cue that
 *   reaches into the window counts.
 * - A verdict right after the phrase in the same clause also negates it: "直接手术不推荐",
 *   "直接手术并非首选", "upfront surgery is not recommended", "surgery should be avoided".
 *   Only evaluative verdicts count ("surgery should not be delayed" keeps "surgery").
 * - A cue that governs a verb of delay or doubt ("do not delay", "毫不犹豫", "不要延误") or opens
 *   a time clause ("未明确病理前") negates that verb or clause, not what follows it.
 * - An odd number of negations negates, an even number cancels out ("不能不手术",
 *   "not without", "我们不认为直接手术是错误的").
 */
import { isCjk, isWordChar, WORD_CHAR } from './normalize.js';
import { forEachMatch } from './each-match.js';

export const DEFAULT_NEGATION_WINDOW = 6;
const WORD_COST = 1.5;

const ZH_CUES = [
  '不', '未', '无', '非', '勿', '没', '没有', '忌', '切忌', '避免', '禁止', '禁用', '不宜', '不建议', '不推荐',
  '不应', '不应该', '不要', '不必', '无需', '无须', '不需要', '不用', '排除', '否认', '而非', '而不是', '反对',
  '不同意', '不赞成', '不支持', '不主张', '不认为', '严禁', '不可', '不能', '不得', '别', '谨防', '慎用', '杜绝', '不足以',
];
const EN_CUES = [
  'not', 'no', 'non', 'never', 'without', 'avoid', 'avoids', 'avoided', 'avoiding', "don't", 'do not', "doesn't",
  'does not', "didn't", "shouldn't", 'should not', "won't", "can't", 'cannot', "isn't", "aren't", "wasn't",
  "weren't", "mustn't", 'must not', 'no longer', 'rather than', 'instead of', 'contraindicated', 'neither', 'nor',
  'none', 'exclude', 'excluded', 'excluding', 'rule out', 'ruled out', 'refrain from', 'advise against',
  'advises against', 'recommend against', 'recommends against', 'argue against', 'decide against', 'caution against',
  'warn against', 'would not', "wouldn't", 'mistake to', 'error to', 'dangerous to', 'wrong to', 'unsafe to',
  'harmful to', 'inappropriate to', 'unwise to',
];
/** Words that begin with a negation character but negate nothing that follows them. */
const ZH_TERMS = [
  '不仅', '不但', '不只', '不止', '不论', '不管', '无论', '非常', '非小细胞', '非鳞', '无进展', '无病', '无复发',
  '无事件', '不良', '不适', '不同', '不断', '不少', '不久', '未来', '非典型', '不典型', '无创', '不得不', '毫无疑问',
  '无疑', '非甾体', '不必要', '不可或缺', '不容忽视', '不可忽视', '不明', '不规则', '不均匀', '不完全', '不可逆',
  '有无', '无效', '不耐受', '无症状', '无痛', '无菌', '非吸烟', '不吸烟', '未经治疗', '或不', '未进展', '未复发',
  // Fixed expressions that affirm: "毫不犹豫建议", "不妨", "不失为一种选择", "无不", "不可不", "刻不容缓".
  '毫不犹豫', '毫不迟疑', '毫不', '不妨', '不失为', '无不', '莫不', '不可不', '刻不容缓', '不容置疑', '不容迟疑',
  '不遗余力', '非得', '不外乎', '无一例外',
  // An adjective of amount or quality, negated on its own: "组织不够就只能放弃基因检测" gives the testing up.
  '不够', '不足', '不佳', '不多',
];
const EN_TERMS = [
  'not only', 'no doubt', 'no matter', 'whether or not', 'not just', 'not merely', 'no question', 'without delay',
  'without hesitation', 'no time to lose', 'not hesitate', 'never hesitate', 'non-small', 'non small', 'not to mention', 'no later than',
  'with or without', 'no more than', 'no less than', 'not more than', 'not less than', 'no fewer than',
];
const ZH_CONTRAST = ['但', '而是', '然而', '不过', '可是', '却'];
const EN_CONTRAST = ['but', 'however', 'although', 'though', 'whereas'];

/** Cues that negate only the word they are attached to (non-squamous, not "non-smokers with EGFR"). */
const PREFIX_CUES = new Set(['non']);

type Kind = 'cue' | 'term' | 'contrast';
const KIND = new Map<string, Kind>();
for (const w of [...ZH_CUES, ...EN_CUES]) KIND.set(w, 'cue');
for (const w of [...ZH_TERMS, ...EN_TERMS]) KIND.set(w, 'term');
for (const w of [...ZH_CONTRAST, ...EN_CONTRAST]) KIND.set(w, 'contrast');

export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * A pattern body with word boundaries at the Latin edges of the literal it stands for
 * (Chinese has no word boundaries), so that "no" does not match inside "node".
 */
export function withWordBoundaries(literal: string, body: string = escapeRegExp(literal)): string {
  const edges = wordEdges(literal);
  return `${edges.before ? `(?<!${WORD_CHAR})` : ''}${body}${edges.after ? `(?!${WORD_CHAR})` : ''}`;
}

/** Whether a literal needs a word boundary before and after it: its first / last character is a letter or digit of a space-separated script. */
export function wordEdges(literal: string): { before: boolean; after: boolean } {
  return { before: isWordChar(String.fromCodePoint(literal.codePointAt(0)!)), after: isWordChar(literal.slice(-1)) };
}

// Longest first, so that 不建议 wins over 不 and "not only" over "not". English words share one
// pair of word boundaries (every English marker starts and ends with a letter).
const byLength = [...KIND.keys()].sort((a, b) => b.length - a.length);
const MARKERS = new RegExp(
  `${byLength.filter((w) => !isWordChar(w[0])).map(escapeRegExp).join('|')}` +
    `|(?<!${WORD_CHAR})(?:${byLength.filter((w) => isWordChar(w[0])).map(escapeRegExp).join('|')})(?!${WORD_CHAR})`,
  'gu',
);
/**
 * Verdicts that negate the phrase just before them, after at most three filler words
 * ("是", "目前并", "is", "should generally be").
 */
const ZH_FILLER = '(?:是|则|也|并|目前|现在|现阶段|此时|暂时|一般|通常|应|应当|都|仍|尚|均|属|为|绝对|完全|暂|往往)';
const ZH_DELAY = '(?:推迟|延迟|拖延|延误|耽误|等待)';
const ZH_VERDICT =
  '(?:不被推荐|不被建议|不推荐|不建议|不可取|不合适|不适合|不适宜|不恰当|不妥|不可行|不予考虑|不考虑|不作为首选|错误的|错的|禁忌(?![证症])' +
  '|(?:一个|一种)?(?:严重|重大|致命|明显)?的?错误|危险的?|有害的?|禁用|(?:应当|应|需|要|必须)?(?:避免|杜绝)|万万不可|不能接受|不可接受' +
  `|不应(?:该|当)?(?!${ZH_DELAY})|不宜(?!${ZH_DELAY})|不可(?!${ZH_DELAY}|或缺|忽视)` +
  // "并非本例的最佳选择", "不是合适的方案": a denied evaluation a few characters on.
  '|(?:并非|不是|并不是|绝非|非)[^,。;!?\\n]{0,8}?(?:首选|最佳|最好|合适|恰当|正确|标准|推荐|优选|选择|方案|指征|适应证))';
const EN_FILLER =
  '(?:is|are|was|were|be|been|should|must|would|will|can|could|may|might|generally|usually|currently|typically|routinely|' +
  'also|then|therefore|strongly|absolutely|clearly|definitely|now|here|today|yet|alone|first|initially|immediately)';
const EN_NEGATOR = "(?:not|never|cannot|(?:is|are|was|were|should|must|would|can|could|do|does)n't)";
const EN_VERDICT =
  `(?:${EN_NEGATOR} (?:be )?(?:recommended|advised|advisable|indicated|appropriate|suitable|warranted|needed|necessary|required|preferred|standard|an option|first-line|the (?:best|first|preferred|standard|right|optimal))` +
  '|contraindicated|avoided|inappropriate|unnecessary|unwarranted|discouraged|unsafe|wrong|incorrect|dangerous|harmful|ill-advised' +
  '|(?:a |an )?(?:serious |grave |major |big |dangerous |critical |clear )?(?:mistake|error)' +
  `|${EN_NEGATOR} (?:a |an |the )?(?:good|right|correct|appropriate|best|optimal|wise|safe|reasonable) (?:choice|option|approach|idea|plan|strategy|course))`;
/** A judgement of error or danger closing a clause judges the whole course it names ("放弃根治性治疗、只做支持治疗是错误的"). */
const ZH_CLOSING_VERDICT = '[^,。;!?\\n]{0,14}?(?:是|属于|属|都是|均是)(?:一个|一种)?(?:严重|重大|致命|明显)?的?(?:错误|禁忌|危险)';
const POST_VERDICT = new RegExp(
  `^(?:${ZH_FILLER}{0,3}(?<zh>${ZH_VERDICT})|(?<closing>${ZH_CLOSING_VERDICT})|[ -]?(?:${EN_FILLER} ){0,3}(?<en>${EN_VERDICT})(?!${WORD_CHAR}))`,
  'u',
);

/**
 * Hard clause ends: 。;,!? and line breaks, and a full stop but one between digits (2.5 is a
 * decimal point); a comma ends a clause, not a sentence: a suspended negation stops at the others.
 */
const endsSentence = (code: number) => code === 0x3002 || code === 0x3b || code === 0x21 || code === 0x3f || code === 0x0a;
const COMMA = 0x2c;
const FULL_STOP = 0x2e;
const isDigitCode = (code: number) => code >= 0x30 && code <= 0x39;

/**
 * A cue that governs a verb of delay or doubt negates that verb, not what follows it:
 * "do not delay surgery", "毫不犹豫", "不要延误手术", "避免拖延手术" recommend the surgery.
 */
const NEUTRALISED = new RegExp(
  '^(?:(?: (?:to|be|you|we|i|it|ever))*' +
    ' (?:delay|delaying|hesitate|hesitating|wait|waiting|miss|forget|postpone|postponing|defer|deferring|fail|hold off|be afraid|neglect|overlook|omit|skip|hold back|lose time)' +
    `(?!${WORD_CHAR})|(?:要|应|可|宜|能|得|再)?(?:延误|耽误|犹豫|迟疑|拖延|错过|忘记|遗漏|忽视|忽略|推迟|延迟|耽搁|等待))`,
  'u',
);
/**
 * A negation inside a time clause ("在未明确病理前", "没有病理之前") negates that clause's verb,
 * not the action the sentence then names: "切忌在未明确病理前停用药物" rejects stopping the drugs.
 */
const TIME_CLAUSE_CUES = new Set(['未', '没', '没有']);
const TIME_CLAUSE = /^[^,。;!?\n]{1,8}?(?:之前|以前|前)/u;
/**
 * Cues that reject a course of action reach to the end of their clause, however long the
 * phrase after them: "不建议在目前这个阶段直接进行手术", "we do not think that upfront
 * surgery". An English negator does so when a verb of recommending follows it.
 */
const BROAD_ZH = new Set([
  '不建议', '不推荐', '不主张', '不认为', '不赞成', '不同意', '反对', '不应', '不应该', '不宜', '切忌', '禁用', '禁止', '严禁',
  '避免', '不要', '不必', '无需', '无须', '不需要', '不支持', '杜绝', '而非', '而不是',
]);
const BROAD_EN = new Set([
  'avoid', 'advise against', 'advises against', 'recommend against', 'recommends against', 'argue against', 'decide against',
  'caution against', 'warn against', 'refrain from', 'rather than', 'instead of', 'mistake to', 'error to', 'dangerous to',
  'wrong to', 'unsafe to', 'harmful to', 'inappropriate to', 'unwise to',
]);
const GOVERNS_RECOMMENDATION = new RegExp(
  `^(?: [a-z']+){0,2} (?:recommend|advise|suggest|support|favou?r|offer|propose|consider|think|believe|endorse|advocate|pursue|proceed|opt|choose|go|start|give|use|perform|do|want)(?!${WORD_CHAR})`,
  'u',
);

export interface OccurrenceContext {
  /** The fixed term the occurrence lies inside (then it does not count), or null. */
  embeddedIn: string | null;
  /** Negation cues in the window before the occurrence, in order, then a verdict after it. */
  cues: string[];
  /** The cue nearest the occurrence when the cues negate it (odd count), else null. */
  negatedBy: string | null;
}

interface Marker {
  start: number;
  end: number;
  word: string;
  /** A neutralised cue ("do not delay") is kept as a term that embeds nothing. */
  kind: Kind | 'neutral';
  /** The cue reaches to the end of its clause. */
  broad: boolean;
  /** For a neutralised cue, the end of the verb it governs: an occurrence starting there is still negated ("do not wait for cultures"). */
  governs: number;
}

/** Clause ends and negation markers of one normalised text, found once and shared by every phrase. */
export interface NegationIndex {
  text: string;
  /** Sorted start offsets of the clause-ending characters. */
  clauseEnds: number[];
  /** Sorted start offsets of the sentence-ending characters. */
  sentenceEnds: number[];
  /** Sorted, non-overlapping. */
  markers: Marker[];
  /**
   * Cues left hanging before a comma ("We would not, at this point, recommend X"): the
   * comma's offset and the cue, which negates the rest of the sentence.
   */
  suspended: { at: number; word: string }[];
}

/**
 * Whether a cue stands where a clause's verb would: after at most a subject and an auxiliary
 * ("we would not,", "我们不建议，"), so a comma right after it leaves it hanging. A cue at the
 * end of a clause that names its object first ("直接手术禁用，") is a verdict, not a hanging cue.
 */
function opensClause(text: string, cueStart: number): boolean {
  const before = text.slice(Math.max(0, cueStart - 24), cueStart);
  const clause = before.slice(before.search(/[^。;,!?\n.]*$/u));
  return /^ ?(?:(?:[a-z']+ ){0,3}|(?:我们|我|本人|笔者|医生|目前|现阶段|此时|现在|暂时|坚决|强烈|都|也|并|还是)*)$/u.test(clause);
}

/** The offsets of the clause ends and of the sentence ends of a text, in one pass and without a match object per end (it runs for every answer). */
function endsOf(text: string): { clauseEnds: number[]; sentenceEnds: number[] } {
  const clauseEnds: number[] = [];
  const sentenceEnds: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === COMMA) clauseEnds.push(i);
    else if (endsSentence(code) || (code === FULL_STOP && !(isDigitCode(text.charCodeAt(i - 1)) && isDigitCode(text.charCodeAt(i + 1))))) {
      clauseEnds.push(i);
      sentenceEnds.push(i);
    }
  }
  return { clauseEnds, sentenceEnds };
}

export function indexNegation(text: string): NegationIndex {
  const { clauseEnds, sentenceEnds } = endsOf(text);
  const suspended: NegationIndex['suspended'] = [];
  const markers: Marker[] = [];
  forEachMatch(MARKERS, text, (m) => {
    const start = m.index;
    const end = start + m[0].length;
    const word = m[0];
    let kind: Marker['kind'] = KIND.get(word)!;
    let broad = false;
    let governs = end;
    if (kind === 'cue') {
      const rest = text.slice(end, end + 40);
      const neutral = NEUTRALISED.exec(rest) ?? (TIME_CLAUSE_CUES.has(word) ? TIME_CLAUSE.exec(rest) : null);
      if (neutral) {
        kind = 'neutral';
        governs = end + neutral[0].length;
      } else {
        broad = BROAD_ZH.has(word) || BROAD_EN.has(word) || (isWordChar(word[0]) && GOVERNS_RECOMMENDATION.test(rest));
        const comma = /^ ?,/.exec(rest);
        if (comma && !PREFIX_CUES.has(word) && opensClause(text, start)) suspended.push({ at: end + comma[0].length - 1, word });
      }
    }
    markers.push({ start, end, word, kind, broad, governs });
  });
  return { text, clauseEnds, sentenceEnds, markers, suspended };
}

/** Index of the first element of a sorted list that is >= value. */
function lowerBound<T>(list: readonly T[], value: number, key: (t: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(list[mid]) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function clauseBounds(index: NegationIndex, start: number): [number, number] {
  const i = lowerBound(index.clauseEnds, start, (x) => x);
  const from = i > 0 ? index.clauseEnds[i - 1] + 1 : 0;
  const to = i < index.clauseEnds.length ? index.clauseEnds[i] : index.text.length;
  return [from, to];
}

/** Start of the look-back window: whole tokens (a Chinese character, an English word) within the budget. */
function windowStart(text: string, clauseStart: number, start: number, window: number): number {
  let cost = 0;
  let i = start;
  let fitted = start;
  while (i > clauseStart) {
    const ch = text[i - 1];
    if (isWordChar(ch)) {
      let j = i - 1;
      while (j > clauseStart && isWordChar(text[j - 1])) j--;
      cost += WORD_COST;
      i = j;
    } else {
      if (isCjk(ch)) cost += 1;
      i -= 1;
    }
    if (cost > window) break;
    fitted = i;
  }
  return fitted;
}

/** How far (code units) a hanging cue reaches: an inserted clause, not a paragraph without full stops. */
const SUSPENSION_REACH = 160;

export interface InspectOptions {
  window?: number;
  /** Cues inside the occurrence count too (a pattern's gap: "建议[^。]{0,10}化疗" over "建议不要单用化疗"), except these words the pattern itself spells. */
  inner?: { literal: (word: string) => boolean };
}

export function inspectOccurrence(index: NegationIndex, start: number, end: number, options: InspectOptions = {}): OccurrenceContext {
  const { text, markers } = index;
  const window = options.window ?? DEFAULT_NEGATION_WINDOW;
  const [clauseStart, clauseEnd] = clauseBounds(index, start);
  const from = windowStart(text, clauseStart, start, window);
  let cues: string[] = [];
  // A cue hanging before a comma earlier in the same sentence.
  const s = lowerBound(index.suspended, clauseStart, (x) => x.at) - 1;
  if (s >= 0) {
    const hanging = index.suspended[s];
    const near = start - hanging.at <= SUSPENSION_REACH;
    const sentenceEnd = lowerBound(index.sentenceEnds, hanging.at, (x) => x);
    if (near && (sentenceEnd >= index.sentenceEnds.length || index.sentenceEnds[sentenceEnd] >= start)) {
      const contrast = markers.slice(lowerBound(markers, hanging.at, (m) => m.start), lowerBound(markers, start, (m) => m.start)).some((m) => m.kind === 'contrast');
      if (!contrast) cues.push(hanging.word);
    }
  }
  let embeddedIn: string | null = null;
  const limit = options.inner ? end : start;
  for (let i = lowerBound(markers, clauseStart, (m) => m.start); i < markers.length && markers[i].start < limit; i++) {
    const m = markers[i];
    if (m.start >= start) {
      // A cue in a pattern's gap counts when it rejects or stands within the window of the match's end.
      const close = m.broad || m.end > windowStart(text, clauseStart, end, window);
      if (m.kind === 'cue' && m.end <= end && close && !options.inner!.literal(m.word)) cues.push(m.word);
      continue;
    }
    if (m.kind === 'term') {
      if (m.end > start) embeddedIn = m.word;
    } else if (m.kind === 'contrast') {
      cues = [];
    } else if ((m.kind === 'cue' || (m.kind === 'neutral' && start < m.governs)) && (m.end > from || m.broad)) {
      // "neither ... nor" is one negation, not two; "non" negates only the word it prefixes.
      const prefixesOther = PREFIX_CUES.has(m.word) && text.slice(m.end, start).replace(/^[ -]/, '') !== '';
      if (!(m.word === 'nor' && cues.includes('neither')) && !prefixesOther) cues.push(m.word);
    }
  }
  const after = POST_VERDICT.exec(text.slice(end, Math.min(clauseEnd, end + 60)));
  if (after) cues.push((after.groups?.zh ?? after.groups?.closing ?? after.groups?.en)!);
  const negatedBy = cues.length % 2 === 1 ? cues[cues.length - 1] : null;
  return { embeddedIn, cues, negatedBy };
}
