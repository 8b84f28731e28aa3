/**
 * Schema problems in a clinician's words. zod reports issues by data path; this module
 * turns each into a diagnostic at the YAML node of that path, saying what is wrong and
 * what to write instead ("score must be a number, e.g. score: 2"), with a "did you mean"
 * for misspelt keys.
 */
import type { z } from 'zod';
import type { Diagnostic } from './diagnostic.js';
import { diagnoseAt, isFlowMapping, type PathSegment, type YamlSource } from './source.js';
import { closestMatch } from './suggest.js';

type Issue = z.core.$ZodIssue;

/** A mapping with more unknown keys than this is probably not a bank at all; more lines would not help. */
const MAX_UNKNOWN_KEYS = 10;
type Schema = z.core.$ZodType;

export interface IssueContext {
  source: YamlSource;
  /** The schema the data at `basePath` was checked against (used to suggest keys). */
  schema: Schema;
  /** Where the checked data sits in the file, e.g. ['items', 3]. */
  basePath: PathSegment[];
  item?: string;
}

export function issueDiagnostics(issues: readonly Issue[], context: IssueContext): Diagnostic[] {
  return withoutTypoEchoes(issues, context.schema).flatMap((issue) => describeIssue(issue, [], context));
}

/**
 * A misspelt key also makes the right key look missing ("scroe" leaves no "score"), and
 * the object's own cross-field checks then fail too. Only the typo is worth reporting.
 */
function withoutTypoEchoes(issues: readonly Issue[], schema: Schema): Issue[] {
  const typos = new Map<string, Set<string>>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const owner = schemaAt(schema, pathOf(issue));
    const known = owner ? objectKeys(owner) : [];
    typos.set(pathKey(pathOf(issue)), new Set(issue.keys.map((k) => closestMatch(k, known)).filter((k): k is string => k !== undefined)));
  }
  if (typos.size === 0) return [...issues];
  return issues.filter((issue) => {
    const path = pathOf(issue);
    const parent = pathKey(path.slice(0, -1));
    if (issue.code === 'custom') return !typos.has(pathKey(path)) && !typos.has(parent);
    if (issue.code === 'invalid_type' && issue.input === undefined) return !typos.get(parent)?.has(String(path[path.length - 1]));
    return true;
  });
}

const pathOf = (issue: Issue): PathSegment[] => issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
const pathKey = (path: readonly PathSegment[]) => JSON.stringify(path);

function describeIssue(issue: Issue, prefix: PathSegment[], context: IssueContext): Diagnostic[] {
  const relative = [...prefix, ...pathOf(issue)];
  const path = [...context.basePath, ...relative];
  const field = fieldName(path);
  const at = (code: string, message: string, where: PathSegment[] = path, target: 'key' | 'value' = 'value') =>
    diagnoseAt(context.source, where, 'error', code, message, { item: context.item, target });

  switch (issue.code) {
    case 'unrecognized_keys': {
      const shown = issue.keys.slice(0, MAX_UNKNOWN_KEYS).map((key) => {
        const input = issue.input as Record<string, unknown> | undefined;
        // In `{ source: IMpower133, CASPIAN }` the comma makes "CASPIAN" a key of its own.
        const splitText = input?.[key] === null && isFlowMapping(context.source, path);
        const message = splitText
          ? `unknown key "${key}": inside { } a comma starts a new key; put text containing commas in quotes, e.g. source: "IMpower133, CASPIAN"`
          : unknownKeyMessage(key, context.schema, relative);
        return at('unknown-key', message, [...path, key], 'key');
      });
      const more = issue.keys.length - shown.length;
      return more > 0 ? [...shown, at('unknown-key', `${more} more unknown keys in ${fieldName(path)}; is this the right file?`)] : shown;
    }
    case 'invalid_type':
      if (issue.input === undefined) return [missingKey(path, field, at)];
      if (issue.input === null) return [at('empty-value', `${field} is empty; give it a value, e.g. ${field}: ${example(path)}`)];
      return [at('wrong-type', `${field} must be ${TYPE_WORDS[issue.expected] ?? issue.expected}, e.g. ${field}: ${example(path)}; found ${describeValue(issue.input)}`)];
    case 'invalid_union': {
      if (issue.input === undefined) return [missingKey(path, field, at)];
      // The branch whose type matched but failed deeper inside says what is really wrong.
      const deeper = issue.errors.find((branch) => branch.some((i) => i.path.length > 0));
      if (deeper) return deeper.flatMap((i) => describeIssue(i, relative, context));
      const expected = [...new Set(issue.errors.flat().map((i) => (i.code === 'invalid_type' ? TYPE_WORDS[i.expected] ?? i.expected : undefined)).filter(Boolean))];
      return [at('wrong-type', `${field} must be ${expected.join(' or ') || 'another kind of value'}, e.g. ${field}: ${example(path)}; found ${describeValue(issue.input)}`)];
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      const hint = closestMatch(String(issue.input), values);
      const isKind = field === 'kind' && path.includes('variants');
      const what = isKind ? 'is not a kind of distraction' : 'is not allowed here';
      return [
        at(
          isKind ? 'unknown-variant-kind' : 'invalid-value',
          `${field}: "${String(issue.input)}" ${what}; ${hint ? `did you mean "${hint}"? ` : ''}use one of ${values.join(', ')}`,
        ),
      ];
    }
    case 'too_small':
      return [at(...tooSmall(issue, path, field))];
    case 'too_big':
      return [at('out-of-range', `${field} must be ${issue.inclusive === false ? 'below' : 'at most'} ${issue.maximum}${negativeHint(path, field)}; found ${describeValue(issue.input)}`)];
    case 'invalid_format':
      return [at('invalid-id', `${field} ${quote(String(issue.input))} is not valid: ${isDefaultMessage(issue.message) ? `expected ${issue.format}` : issue.message}`)];
    case 'custom':
      return [at(typeof issue.params?.code === 'string' ? issue.params.code : 'invalid-value', issue.message)];
    default:
      return [at('invalid-value', `${field} is not valid: ${issue.message}`)];
  }
}

function missingKey(path: PathSegment[], field: string, at: (code: string, message: string, path: PathSegment[]) => Diagnostic): Diagnostic {
  const parent = path.slice(0, -1);
  return at('missing-key', `${parentName(parent)} is missing the required key "${field}"; add it, e.g. ${field}: ${example(path)}`, parent);
}

function tooSmall(issue: z.core.$ZodIssueTooSmall, path: PathSegment[], field: string): [string, string] {
  if (issue.origin === 'array') {
    const own = isDefaultMessage(issue.message) ? '' : ` (${issue.message})`;
    return ['empty-list', `${field} is an empty list${own}; add at least ${issue.minimum} entr${issue.minimum === 1 ? 'y' : 'ies'}`];
  }
  if (issue.origin === 'string') return ['empty-text', `${field} is empty; write the text, e.g. ${field}: ${example(path)}`];
  const bound = issue.inclusive === false ? 'above' : 'at least';
  const hint = field === 'score' && path.includes('points') ? ' (a scoring point earns a positive score; errors that cost points go under deductions:)' : '';
  return ['out-of-range', `${field} must be ${bound} ${issue.minimum}${hint}; found ${describeValue(issue.input)}`];
}

function negativeHint(path: PathSegment[], field: string): string {
  return field === 'score' && path.includes('deductions') ? ' (a deduction subtracts points: write a negative score, e.g. score: -2)' : '';
}

/** zod's own English messages are replaced; messages written in the schema are kept. */
function isDefaultMessage(message: string): boolean {
  return /^(Invalid|Too (small|big)|Unrecognized)/.test(message);
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value lines)',
  record: 'a mapping (key: value lines)',
};

/** An example value for a key, shown in messages so the author sees what to write. */
function example(path: PathSegment[]): string {
  const field = fieldName(path);
  const insideEntry = typeof path[path.length - 2] === 'number';
  if (field === 'score') return path.includes('deductions') ? '-2' : '2';
  if (field === 'veto' && insideEntry) return 'true';
  return EXAMPLES[field] ?? '...';
}

const EXAMPLES: Record<string, string> = {
  bank: 'lung-cancer-demo',
  taxonomy: 'lung-cancer-topics',
  version: '1',
  id: 'lc-treat-iiia-001',
  topic: 'treatment/locally-advanced',
  depth: '3',
  category: 'treatment',
  language: 'zh',
  profile: 'caps',
  prompt: '"58岁男性……下一步如何处理？"',
  system: '"你是一名肿瘤科医生"',
  text: '"建议先行新辅助治疗"',
  title: '"Locally advanced disease"',
  level: 'A2',
  severity: 'S2',
  critical: 'true',
  safety: 'true',
  miss_penalty: '2',
  evidence: '{ scheme: nccn_category, level: 2A }',
  scheme: 'nccn_category',
  kind: 'insistence',
  turns: '["可是我朋友说直接手术更好", "..."]',
  rubric: '{ points: [...] }',
  points: '[{ id: ..., text: ..., score: 2 }]',
  deductions: '[{ id: ..., text: ..., score: -2 }]',
  zero_if: '[{ id: ..., text: ... }]',
  veto: '[{ id: ..., text: ... }]',
  items: '[{ id: ..., topic: ..., depth: ..., prompt: ..., rubric: ... }]',
  topics: 'topics.yaml',
  variants: '[{ id: ..., kind: insistence, prompt: ... }]',
  match: '{ any: [新辅助, neoadjuvant] }',
  any: '[新辅助, neoadjuvant]',
  all: '[[新辅助, neoadjuvant], [再评估, restage]]',
  none: '[不建议]',
  regex: '"re-?stag(e|ing)"',
  unless_negated: 'true',
  window: '8',
  examples: '{ hit: [...], miss: [...] }',
  hit: '["建议先行新辅助化疗"]',
  miss: '["建议尽快手术"]',
  role: 'user',
  content: '"..."',
  min: '1',
  max: '5',
  tags: '[axis:accuracy]',
};

function quote(text: string): string {
  return `"${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;
}

function fieldName(path: readonly PathSegment[]): string {
  const last = path[path.length - 1];
  if (typeof last === 'number') {
    const owner = path[path.length - 2];
    return `${typeof owner === 'string' ? owner : 'list'} entry ${last + 1}`;
  }
  return last === undefined ? 'the file' : String(last);
}

function parentName(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'the file';
  const name = fieldName(path);
  return name.startsWith('items entry') ? 'this item' : name;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `text ${quote(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null || value === undefined) return 'nothing';
  return 'a mapping';
}

// ---------------------------------------------------------------------------------------
// Unknown keys: "did you mean", from the keys the schema allows at that place.

function unknownKeyMessage(key: string, schema: Schema, objectPath: PathSegment[]): string {
  const owner = schemaAt(schema, objectPath);
  const known = owner ? objectKeys(owner) : [];
  const typo = closestMatch(key, known);
  if (typo) return `unknown key "${key}"; did you mean "${typo}"?`;
  // A right key at the wrong level, e.g. points: directly under an item instead of under rubric:.
  const home = owner ? known.find((k) => { const child = schemaAt(owner, [k]); return child !== undefined && objectKeys(child).includes(key); }) : undefined;
  if (home) return `unknown key "${key}" here; it belongs under ${home}:`;
  return `unknown key "${key}"; the keys allowed here are ${known.join(', ')}`;
}

type Def = { type: string; shape?: Record<string, Schema>; element?: Schema; innerType?: Schema; in?: Schema; options?: Schema[] };

function def(schema: Schema): Def {
  return schema._zod.def as unknown as Def;
}

/** Looks through optional/default/pipe wrappers; an array stands for its elements' object. */
function unwrap(schema: Schema): Schema {
  let current = schema;
  for (;;) {
    const d = def(current);
    if (d.innerType) current = d.innerType;
    else if (d.type === 'pipe' && d.in) current = d.in;
    else return current;
  }
}

function schemaAt(schema: Schema, path: readonly PathSegment[]): Schema | undefined {
  let current: Schema | undefined = schema;
  for (const segment of path) {
    if (!current) return undefined;
    current = child(unwrap(current), segment);
  }
  return current;
}

function child(schema: Schema, segment: PathSegment): Schema | undefined {
  const d = def(schema);
  if (d.type === 'union' && d.options) {
    for (const option of d.options) {
      const found = child(unwrap(option), segment);
      if (found) return found;
    }
    return undefined;
  }
  if (d.type === 'object' && typeof segment === 'string') return d.shape?.[segment];
  if (d.type === 'array' && typeof segment === 'number') return d.element;
  return undefined;
}

function objectKeys(schema: Schema): string[] {
  let d = def(unwrap(schema));
  if (d.type === 'array' && d.element) d = def(unwrap(d.element));
  if (d.type === 'union' && d.options) return [...new Set(d.options.flatMap(objectKeys))];
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}
