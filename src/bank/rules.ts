/**
 * Bank-wide rules that the schema cannot express: unique ids, rubric sanity, depth and
 * topic against the bank's declarations, and the matcher self-tests. Each rule has a
 * stable code, listed in docs/bank-format.md.
 */
import { ADEQUACY_SCORES, SEVERITY_SCORES, adequacyScore, type DepthScale, type Item, type MatchSpec, type Rubric, type RubricAddition } from '../schema/bank.js';
import { evaluateMatch, matchSpecProblems } from '../matching/matcher.js';
import { expandMatch, namesIndex, phrasesOf, referenceOf, type Vocabulary } from '../matching/vocabulary.js';
import { displayPath, type Diagnostic } from './diagnostic.js';
import { diagnoseAt, locate, type PathSegment, type YamlSource } from './source.js';
import { closestMatch } from './suggest.js';
import { normalizeForMatch } from '../matching/normalize.js';
import type { ParsedBankFile, ParsedItem, RawItem } from './validate.js';

export interface RuleContext {
  depthScale: DepthScale;
  /** Topic ids of the bank's taxonomy, when one is declared and valid. */
  topics?: { ids: Set<string>; file: string };
  /** The bank's vocabulary: phrases by term id, and term ids by normalised name. */
  vocabulary: { terms: Vocabulary; names: ReadonlyMap<string, string> };
  /** Whether warnings are wanted: a command that only needs a valid bank does not locate them. */
  warnings: boolean;
}

type EntryKindName = 'point' | 'deduction' | 'zero rule' | 'veto';

interface LocatedEntry {
  kind: EntryKindName;
  id: string;
  match?: MatchSpec;
  examples?: { hit: string[]; miss: string[] };
  path: PathSegment[];
}

const ENTRY_LISTS = [['points', 'point'], ['deductions', 'deduction'], ['zero_if', 'zero rule'], ['veto', 'veto']] as const;

/** Every rubric entry of an item, the shared rubric first, then each variant's additions (loops: this runs for every item of a bank). */
function entriesOf(item: Item): LocatedEntry[] {
  const entries: LocatedEntry[] = [];
  const add = (rubric: Rubric | RubricAddition, at: PathSegment[]) => {
    for (const [key, kind] of ENTRY_LISTS) {
      const list = rubric[key];
      for (let index = 0; index < list.length; index++) {
        const entry = list[index];
        entries.push({ kind, id: entry.id, match: entry.match, examples: entry.examples, path: [...at, key, index] });
      }
    }
  };
  add(item.rubric, ['rubric']);
  item.variants.forEach((v, i) => v.rubric && add(v.rubric, ['variants', i, 'rubric']));
  return entries;
}

/** Reports a diagnostic at a path under `base` in one item; warnings are located only when the context wants them. */
type Report = (path: readonly PathSegment[], severity: 'error' | 'warning', code: string, message: string, target?: 'key' | 'value') => void;

function reporter(diagnostics: Diagnostic[], parsed: ParsedItem, base: readonly PathSegment[], context: RuleContext): Report {
  return (path, severity, code, message, target = 'value') => {
    if (severity === 'error' || context.warnings) diagnostics.push(diagnoseAt(parsed.source, [...base, ...path], severity, code, message, { item: parsed.item.id, target }));
  };
}

const where = (source: YamlSource, path: PathSegment[]) => {
  const at = locate(source, path);
  return `line ${at.line}`;
};

/** Item ids are keys in run and score files: one id, one item, across all files of the bank. */
export function checkItemIds(files: readonly ParsedBankFile[]): Diagnostic[] {
  const firstSeen = new Map<string, RawItem>();
  const diagnostics: Diagnostic[] = [];
  for (const raw of files.flatMap((f) => f.rawItems)) {
    const first = firstSeen.get(raw.id);
    if (!first) {
      firstSeen.set(raw.id, raw);
      continue;
    }
    const at = locate(first.source, ['items', first.index, 'id']);
    const place = first.source === raw.source ? `line ${at.line}` : `${displayPath(first.source.file)}:${at.line}:${at.col}`;
    diagnostics.push(diagnoseAt(raw.source, ['items', raw.index, 'id'], 'error', 'duplicate-item-id', `item id "${raw.id}" is already used at ${place}; give each item its own id`, { item: raw.id }));
  }
  return diagnostics;
}

/**
 * Points that cannot earn anything make every answer score 0/0. Checked on the item as
 * written, because the schema already rejects each non-positive score on its own.
 */
export function checkPointTotal(raw: RawItem): Diagnostic[] {
  const item = (raw.source.data as { items: unknown[] }).items[raw.index] as { rubric?: { points?: unknown } };
  const points = item?.rubric?.points;
  if (!Array.isArray(points) || points.length === 0) return [];
  let total = 0;
  for (const point of points) {
    const { score, level } = (point ?? {}) as { score?: unknown; level?: unknown };
    if (typeof score === 'number') total += Math.max(0, score);
    else if (typeof level === 'string') total += adequacyScore(level);
    else return []; // a point without a usable score is reported by the schema
  }
  if (total > 0) return [];
  return [
    diagnoseAt(raw.source, ['items', raw.index, 'rubric', 'points'], 'error', 'zero-sum-points', 'the scoring points of this item add up to 0, so no answer could earn anything; give each point a positive score (or a level A1/A2/A3)', { item: raw.id, target: 'key' }),
  ];
}

export function checkItem(parsed: ParsedItem, context: RuleContext): Diagnostic[] {
  const { item, source, index } = parsed;
  const base: PathSegment[] = ['items', index];
  const diagnostics: Diagnostic[] = [];
  const report = reporter(diagnostics, parsed, base, context);

  const { min, max } = context.depthScale;
  if (item.depth < min || item.depth > max) {
    report(['depth'], 'error', 'depth-out-of-scale', `depth ${item.depth} is outside the bank's depth scale ${min}..${max}; use a level from ${min} to ${max} (or change depth_scale in the bank header)`);
  }
  if (context.topics && !context.topics.ids.has(item.topic)) {
    const hint = closestMatch(item.topic, context.topics.ids);
    report(['topic'], 'error', 'unknown-topic', `topic "${item.topic}" is not in the taxonomy ${displayPath(context.topics.file)}; ${hint ? `did you mean "${hint}"? ` : ''}fix the spelling or add the topic to the taxonomy`);
  }

  const variantIds = new Map<string, number>();
  item.variants.forEach((variant, v) => {
    const first = variantIds.get(variant.id);
    if (first === undefined) variantIds.set(variant.id, v);
    else report(['variants', v, 'id'], 'error', 'duplicate-variant-id', `variant id "${variant.id}" is already used by variant ${first + 1} of this item; give each variant its own id`);
  });

  const entryIds = new Map<string, PathSegment[]>();
  for (const entry of entriesOf(item)) {
    const first = entryIds.get(entry.id);
    if (first) {
      report([...entry.path, 'id'], 'error', 'duplicate-entry-id', `entry id "${entry.id}" is already used in this item (${where(source, [...base, ...first])}); points, deductions, zero rules, vetoes and variant additions of one item need distinct ids`);
    } else {
      entryIds.set(entry.id, entry.path);
    }
    if (entry.match) diagnostics.push(...checkVocabularyUse(entry, parsed, context), ...checkMatcher(entry, parsed, context));
  }

  const sections = [{ rubric: item.rubric, at: ['rubric'] as PathSegment[] }, ...item.variants.flatMap((v, i) => (v.rubric ? [{ rubric: v.rubric, at: ['variants', i, 'rubric'] as PathSegment[] }] : []))];
  for (const { rubric, at } of sections) {
    rubric.points.forEach((p, j) => {
      if (p.level !== undefined && !(p.level in ADEQUACY_SCORES)) {
        report([...at, 'points', j, 'level'], 'warning', 'unscored-level', `level ${p.level} of point "${p.id}" is not in the GAPS points table (A1=5, A2=3, A3=1): it counts 0 points, as in the GAPS reference calculator; use A1-A3 or a score if it should count`);
      }
    });
    rubric.deductions.forEach((d, j) => {
      if (d.severity !== undefined && !(d.severity in SEVERITY_SCORES)) {
        report([...at, 'deductions', j, 'severity'], 'warning', 'unscored-level', `severity ${d.severity} of deduction "${d.id}" is not in the GAPS points table (S1..S4 = -1..-4): it counts 0 points, as in the GAPS reference calculator; use S1-S4 or a score if it should count`);
      }
    });
  }

  if (item.rubric.deductions.length === 0) {
    report(['rubric'], 'warning', 'no-deduction', 'this item has no deduction; list under rubric.deductions the errors an expert would penalise (扣分点)', 'key');
  }
  if (item.category === 'treatment' && item.rubric.veto.length === 0 && !item.rubric.deductions.some((d) => d.veto)) {
    report(['category'], 'warning', 'treatment-without-veto', 'a treatment item has no veto (一票否决); add under rubric.veto the unsafe advice that must fail the answer, or mark a deduction veto: true');
  }
  return diagnostics;
}

/** Vocabulary terms are defined once: one id, one term; one name, one term. */
export function checkVocabulary(files: readonly ParsedBankFile[]): Diagnostic[] {
  const ids = new Map<string, string>();
  const names = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    file.header.vocabulary.forEach((term, i) => {
      if (ids.has(term.id)) {
        diagnostics.push(diagnoseAt(file.source, ['vocabulary', i, 'id'], 'error', 'duplicate-term', `vocabulary term "${term.id}" is already defined (${ids.get(term.id)}); define each term once and list all its names there`));
        return;
      }
      ids.set(term.id, `${displayPath(file.source.file)}:${locate(file.source, ['vocabulary', i, 'id']).line}`);
      for (const [name, other] of namesIndex([term])) {
        const owner = names.get(name);
        if (owner && owner !== term.id) {
          diagnostics.push(diagnoseAt(file.source, ['vocabulary', i], 'error', 'term-name-shared', `the name "${name}" of vocabulary term "${term.id}" is also a name of term "${owner}"; a name must belong to one term`, { target: 'key' }));
        }
        names.set(name, other);
      }
    });
  }
  return diagnostics;
}

/** "@term" references must name a vocabulary term; a phrase the vocabulary defines should be referred to, not repeated. */
function checkVocabularyUse(entry: LocatedEntry, parsed: ParsedItem, context: RuleContext): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = reporter(diagnostics, parsed, ['items', parsed.index, ...entry.path, 'match'], context);
  for (const { path, phrase } of phrasesOf(entry.match!)) {
    const id = referenceOf(phrase);
    if (id !== null) {
      if (!context.vocabulary.terms.has(id)) {
        const hint = closestMatch(id, context.vocabulary.terms.keys());
        report(path, 'error', 'unknown-term', `"${phrase}" refers to no vocabulary term; ${hint ? `did you mean "@${hint}"? ` : ''}define it under vocabulary: or fix the spelling`);
      }
      continue;
    }
    if (!context.warnings) continue;
    const term = context.vocabulary.names.get(normalizeForMatch(phrase).trim());
    if (term) report(path, 'warning', 'vocabulary-repeated', `"${phrase}" is a name of vocabulary term "${term}"; write "@${term}" instead, so every name of the term counts`);
  }
  return diagnostics;
}

/** Matcher sanity and self-tests: the examples written with an entry are its unit tests. */
function checkMatcher(entry: LocatedEntry, parsed: ParsedItem, context: RuleContext): Diagnostic[] {
  const spec = expandMatch(entry.match!, context.vocabulary.terms);
  const diagnostics: Diagnostic[] = [];
  const report = reporter(diagnostics, parsed, ['items', parsed.index, ...entry.path], context);

  const patterns = spec.regex === undefined ? [] : Array.isArray(spec.regex) ? spec.regex : [spec.regex];
  patterns.forEach((pattern, j) => {
    for (const problem of matchSpecProblems({ regex: pattern })) {
      report(['match', 'regex', ...(Array.isArray(spec.regex) ? [j] : [])], 'error', 'bad-regex', `${problem}; fix the pattern (it is a JavaScript regular expression)`);
    }
  });
  const phraseLists = [['any', spec.any], ['all', spec.all], ['none', spec.none]] as const;
  for (const [key, list] of phraseLists) {
    list?.forEach((phrase, j) => {
      for (const problem of matchSpecProblems({ any: Array.isArray(phrase) ? phrase : [phrase] })) {
        report(['match', key, j], 'error', 'empty-phrase', `${problem}; write a phrase with letters or characters in it`);
      }
    });
  }
  if (diagnostics.length > 0) return diagnostics; // the self-tests cannot run on a broken spec

  const hit = entry.examples?.hit ?? [];
  const miss = entry.examples?.miss ?? [];
  if (entry.kind === 'point' && (hit.length === 0 || miss.length === 0)) {
    const lacking = hit.length === 0 && miss.length === 0 ? 'hit and miss examples' : hit.length === 0 ? 'a hit example' : 'a miss example';
    report(['match'], 'warning', 'matcher-without-examples', `scoring point "${entry.id}" has a matcher but no ${lacking}; add examples: { hit: [...], miss: [...] } so lint can test the matcher`, 'key');
  }
  hit.forEach((example, j) => {
    const outcome = evaluateMatch(spec, example);
    if (!outcome.met) {
      report(['examples', 'hit', j], 'error', 'example-hit-not-matched', `hit example ${j + 1} of "${entry.id}" is not matched by its match: ${outcome.detail}; fix the match or the example`);
    }
  });
  miss.forEach((example, j) => {
    const outcome = evaluateMatch(spec, example);
    if (outcome.met) {
      report(['examples', 'miss', j], 'error', 'example-miss-matched', `miss example ${j + 1} of "${entry.id}" is matched by its match (${outcome.detail}); tighten the match (e.g. none: or a narrower phrase) or fix the example`);
    }
  });
  return diagnostics;
}

/** Evidence coverage is one of the four axes: a bank with no evidence tag cannot report it. */
export function checkEvidencePresence(files: readonly ParsedBankFile[]): Diagnostic[] {
  const items = files.flatMap((f) => f.items);
  if (items.length === 0) return [];
  const tagged = items.some(({ item }) => [item.rubric, ...item.variants.map((v) => v.rubric)].some((r) => r && [...r.points, ...r.deductions].some((e) => e.evidence)));
  if (tagged) return [];
  return [diagnoseAt(files[0].source, ['bank'], 'warning', 'no-evidence', 'no scoring point or deduction of this bank has an evidence tag, so evidence coverage cannot be reported; tag points with evidence: { scheme, level, source }', { target: 'key' })];
}
