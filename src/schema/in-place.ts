/**
 * A schema's check without its copy, for large files of records (scores, responses): zod
 * builds a new object for every object and array it parses, which for a study's 30,000 score
 * lines doubles what the reader allocates. `inPlace(schema)` accepts exactly what `schema`
 * accepts and gives the same output, issues and messages: a value already in the form zod
 * would give (every key of the schema's objects in the schema's order, no unknown key, no
 * default left to fill) is checked where it is and given back as it is; anything else, and
 * every value that fails, is parsed by `schema` itself (from the value as given: nothing is
 * changed in it until the whole has passed).
 *
 * The check is compiled from the schema's definition (the schema stays the one source of
 * truth), number bounds and `.int()` included. Other checks and parts it does not know
 * (transforms, refinements, records...) are parsed by zod where they sit, and their output put
 * in place once the whole value has passed.
 */
import { z } from 'zod';

/** Valid, invalid, or a value this check cannot vouch for (zod decides). */
const enum Outcome {
  Ok,
  Fail,
  Unsure,
}

/** A part's zod output to put in place of its input once the whole value has passed. */
type Replacement = { holder: Record<string, unknown> | unknown[]; key: string | number; value: unknown };

type Check = (value: unknown, replace: Replacement[], holder: Record<string, unknown> | unknown[], key: string | number) => Outcome;

interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  check?: string;
  coerce?: boolean;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string | number>;
  values?: unknown[];
}

interface CheckDef {
  check: string;
  format?: string;
  value?: unknown;
  inclusive?: boolean;
  when?: unknown;
}

/** The number checks used in records (`.int()`, `.nonnegative()`, `.min()`, `.max()`...) as tests, the way zod makes them; null when one is another kind. */
function numberChecks(checks: NonNullable<Def['checks']>): ((v: number) => boolean)[] | null {
  const tests: ((v: number) => boolean)[] = [];
  for (const { _zod } of checks) {
    const { check, format, value, inclusive, when } = _zod.def;
    if (when !== undefined) return null;
    if (check === 'number_format' && format === 'safeint') tests.push((v) => Number.isSafeInteger(v));
    else if (check === 'greater_than' && typeof value === 'number') tests.push(inclusive ? (v) => v >= value : (v) => v > value);
    else if (check === 'less_than' && typeof value === 'number') tests.push(inclusive ? (v) => v <= value : (v) => v < value);
    else return null;
  }
  return tests;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** zod itself on this part: its verdict is final, and its output replaces the input when it differs. */
function byZod(schema: z.ZodType): Check {
  return (value, replace, holder, key) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) return Outcome.Fail;
    if (parsed.data !== value) replace.push({ holder, key, value: parsed.data });
    return Outcome.Ok;
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function objectCheck(schema: z.ZodType, def: Def): Check {
  // zod keeps the schema's own keys only (or fails on others); with a catchall it keeps them too: zod's to decide.
  const catchall = def.catchall ? defOf(def.catchall).type : undefined;
  if (catchall !== undefined && catchall !== 'never') return byZod(schema);
  const keys = Object.keys(def.shape!);
  const checks = keys.map((key) => compile(def.shape![key]));
  // An absent key zod leaves absent: only an optional one (a default would be filled in).
  const mayBeAbsent = keys.map((key) => defOf(def.shape![key]).type === 'optional');
  return (value, replace) => {
    if (!isObject(value)) return Outcome.Fail;
    let next = 0;
    for (const key in value) {
      // The value's keys must come in the schema's order, as zod's output has them.
      while (next < keys.length && keys[next] !== key) {
        if (!mayBeAbsent[next]) return Outcome.Unsure;
        next++;
      }
      if (next === keys.length) return Outcome.Unsure;
      const result = checks[next](value[key], replace, value, key);
      if (result !== Outcome.Ok) return result;
      next++;
    }
    for (; next < keys.length; next++) if (!mayBeAbsent[next]) return Outcome.Unsure;
    return Outcome.Ok;
  };
}

function arrayCheck(def: Def): Check {
  const element = compile(def.element!);
  return (value, replace) => {
    if (!Array.isArray(value)) return Outcome.Fail;
    for (let i = 0; i < value.length; i++) {
      const result = element(value[i], replace, value, i);
      if (result !== Outcome.Ok) return result;
    }
    return Outcome.Ok;
  };
}

/** zod's union gives its first option that passes: an option this check cannot vouch for leaves the union to zod. */
function unionCheck(def: Def): Check {
  const options = def.options!.map(compile);
  return (value, replace, holder, key) => {
    for (const option of options) {
      const mine: Replacement[] = [];
      const result = option(value, mine, holder, key);
      if (result === Outcome.Unsure) return Outcome.Unsure;
      if (result === Outcome.Ok) {
        replace.push(...mine);
        return Outcome.Ok;
      }
    }
    return Outcome.Fail;
  };
}

const leaf = (test: (value: unknown) => boolean): Check => (value) => (test(value) ? Outcome.Ok : Outcome.Fail);

function compile(schema: z.ZodType): Check {
  const def = defOf(schema);
  // A format of its own (z.int(), z.email()...) or coercion: zod's to decide.
  if (def.check !== undefined || def.coerce) return byZod(schema);
  if (def.checks?.length) {
    const bounds = def.type === 'number' ? numberChecks(def.checks) : null;
    return bounds ? leaf((v) => typeof v === 'number' && Number.isFinite(v) && bounds.every((test) => test(v))) : byZod(schema);
  }
  switch (def.type) {
    case 'string':
      return leaf((v) => typeof v === 'string');
    case 'number':
      return leaf((v) => typeof v === 'number' && Number.isFinite(v));
    case 'boolean':
      return leaf((v) => typeof v === 'boolean');
    case 'null':
      return leaf((v) => v === null);
    case 'unknown':
    case 'any':
      return leaf((v) => v !== undefined);
    case 'enum': {
      const values = new Set(Object.values(def.entries!));
      return leaf((v) => (typeof v === 'string' || typeof v === 'number') && values.has(v));
    }
    case 'literal': {
      const values = new Set(def.values);
      return leaf((v) => values.has(v));
    }
    case 'optional':
    case 'default': {
      // Present: the inner schema decides (an absent key is the object's to judge).
      const inner = compile(def.innerType!);
      return (value, replace, holder, key) => (value === undefined ? Outcome.Unsure : inner(value, replace, holder, key));
    }
    case 'nullable': {
      const inner = compile(def.innerType!);
      return (value, replace, holder, key) => (value === null ? Outcome.Ok : inner(value, replace, holder, key));
    }
    case 'object':
      return objectCheck(schema, def);
    case 'array':
      return arrayCheck(def);
    case 'union':
      return unionCheck(def);
    default:
      return byZod(schema);
  }
}

/**
 * `schema` as a schema that checks a value without copying it when it can (see above): the
 * same acceptance, output and issues as `schema`. The value given must be the caller's to keep
 * (fresh from JSON.parse): the output may be that very value, with parts zod parsed put in place.
 */
export function inPlace<T extends z.ZodType>(schema: T): z.ZodType<z.output<T>, unknown> {
  const check = compile(schema);
  return z.unknown().transform((value, ctx) => {
    const replace: Replacement[] = [];
    const root = [value];
    if (check(value, replace, root, 0) === Outcome.Ok) {
      for (const { holder, key, value: output } of replace) (holder as Record<string | number, unknown>)[key] = output;
      return root[0] as z.output<T>;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    ctx.issues.push(...(parsed.error.issues as typeof ctx.issues));
    return z.NEVER;
  });
}
