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
 * truth) for the kinds zod's own classes name exactly (PARTS below), number bounds and `.int()`
 * included; a schema met again while compiling it (a recursive one) refers to its own check.
 * Every other kind, variant or option (xor and discriminated unions, exact optionals,
 * catch, transforms, refinements, records, coercion, a definition field not known here) is
 * parsed by zod where it sits, and its output put in place once the whole value has passed:
 * nothing is approximated.
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
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
}

interface CheckDef {
  check: string;
  format?: string;
  value?: unknown;
  inclusive?: boolean;
  when?: unknown;
}

interface Internals {
  def: Def;
  traits: Set<string>;
  /** The values an enum or literal accepts: the very set zod tests. */
  values?: Set<unknown>;
  optin?: 'optional' | 'defaulted';
  optout?: 'optional';
}

const internalsOf = (schema: z.ZodType) => (schema as unknown as { _zod: Internals })._zod;

/** Definition fields that change no output of a value that passes: an issue's message. */
const NEUTRAL_FIELDS = new Set(['type', 'error', 'checks']);
/** Classes every schema of a kind has besides its own: the base, and the object's compiled form (same results). */
const NEUTRAL_TRAITS = new Set(['$ZodType', '$ZodObjectJIT']);

/**
 * The zod class a schema is exactly an instance of, when it has no other (xor is a union, an
 * exact optional an optional, z.int() a number and a check...: each one more class), and its
 * definition has only fields known for that class; else null.
 */
function kindOf(schema: z.ZodType): Kind | null {
  const { def, traits } = internalsOf(schema);
  let kind: string | null = null;
  for (const trait of traits) {
    if (!trait.startsWith('$') || NEUTRAL_TRAITS.has(trait)) continue;
    if (kind !== null) return null;
    kind = trait;
  }
  if (kind === null || !Object.hasOwn(PARTS, kind)) return null;
  const fields = PARTS[kind as Kind].fields;
  for (const [field, value] of Object.entries(def)) if (value !== undefined && !NEUTRAL_FIELDS.has(field) && !(fields as readonly string[]).includes(field)) return null;
  return kind as Kind;
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

/** zod itself on this part: its verdict is final, and its output replaces the input when it differs. */
function byZod(schema: z.ZodType): Check {
  return (value, replace, holder, key) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) return Outcome.Fail;
    if (parsed.data !== value) replace.push({ holder, key, value: parsed.data });
    return Outcome.Ok;
  };
}

/** An object as JSON.parse makes it: zod gives any other (a class instance, no prototype) back as a plain copy. */
const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

type Compile = (schema: z.ZodType) => Check;

function objectCheck(schema: z.ZodType, def: Def, compile: Compile): Check {
  // zod keeps the schema's own keys only (or fails on others); with a catchall it keeps them too: zod's to decide.
  if (def.catchall !== undefined && kindOf(def.catchall) !== '$ZodNever') return byZod(schema);
  const shape = def.shape!;
  // zod never outputs a `__proto__` key, and reads symbol keys JSON has not: zod's to decide.
  if (Object.hasOwn(shape, '__proto__') || Object.getOwnPropertySymbols(shape).length > 0) return byZod(schema);
  const keys = Object.keys(shape);
  const checks = keys.map((key) => compile(shape[key]));
  // An absent key zod leaves absent, by zod's own rule: optional in and out (a default would be filled in, a required key fail).
  const mayBeAbsent = keys.map((key) => {
    const { optin, optout } = internalsOf(shape[key]);
    return optin === 'optional' && optout === 'optional';
  });
  return (value, replace) => {
    if (!isObject(value)) return Outcome.Fail;
    if (!isPlainObject(value)) return Outcome.Unsure;
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

function arrayCheck(def: Def, compile: Compile): Check {
  const element = compile(def.element!);
  return (value, replace) => {
    if (!Array.isArray(value)) return Outcome.Fail;
    if (Object.getPrototypeOf(value) !== Array.prototype) return Outcome.Unsure;
    for (let i = 0; i < value.length; i++) {
      const result = element(value[i], replace, value, i);
      if (result !== Outcome.Ok) return result;
    }
    return Outcome.Ok;
  };
}

/** zod's union gives its first option that passes: an option this check cannot vouch for leaves the union to zod. */
function unionCheck(def: Def, compile: Compile): Check {
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

/**
 * A default (or prefault) around a present value: the inner schema decides, and zod puts the
 * default in place of an output undefined (which only a part zod parsed can give).
 */
function defaultCheck(def: Def, compile: Compile): Check {
  const inner = compile(def.innerType!);
  return (value, replace, holder, key) => {
    if (value === undefined) return Outcome.Unsure;
    const from = replace.length;
    const result = inner(value, replace, holder, key);
    if (result === Outcome.Ok) for (let i = from; i < replace.length; i++) if (replace[i].holder === holder && replace[i].key === key && replace[i].value === undefined) return Outcome.Unsure;
    return result;
  };
}

const leaf = (test: (value: unknown) => boolean): Check => (value) => (test(value) ? Outcome.Ok : Outcome.Fail);
/** An enum's or literal's values as zod tests them (a numeric TypeScript enum's names are not among them). */
const oneOf = (values: Set<unknown>): Check => leaf((v) => values.has(v));
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Each kind checked here: the definition fields it reads (any other field leaves the part to zod), and its check as zod's parse of that class makes it. */
const PARTS = {
  $ZodString: { fields: [], check: () => leaf((v) => typeof v === 'string') },
  $ZodNumber: { fields: [], check: () => leaf(isNumber) },
  $ZodBoolean: { fields: [], check: () => leaf((v) => typeof v === 'boolean') },
  $ZodNull: { fields: [], check: () => leaf((v) => v === null) },
  $ZodUnknown: { fields: [], check: () => leaf(() => true) },
  $ZodAny: { fields: [], check: () => leaf(() => true) },
  $ZodEnum: { fields: ['entries'], check: (schema) => oneOf(internalsOf(schema).values!) },
  $ZodLiteral: { fields: ['values'], check: (schema) => oneOf(internalsOf(schema).values!) },
  $ZodOptional: {
    fields: ['innerType'],
    // Present: the inner schema decides (an absent key is the object's to judge).
    check: (_, def, compile) => {
      const inner = compile(def.innerType!);
      return (value, replace, holder, key) => (value === undefined ? Outcome.Unsure : inner(value, replace, holder, key));
    },
  },
  $ZodDefault: { fields: ['innerType', 'defaultValue'], check: (_, def, compile) => defaultCheck(def, compile) },
  $ZodPrefault: { fields: ['innerType', 'defaultValue'], check: (_, def, compile) => defaultCheck(def, compile) },
  $ZodNullable: {
    fields: ['innerType'],
    check: (_, def, compile) => {
      const inner = compile(def.innerType!);
      return (value, replace, holder, key) => (value === null ? Outcome.Ok : inner(value, replace, holder, key));
    },
  },
  $ZodObject: { fields: ['shape', 'catchall'], check: objectCheck },
  $ZodArray: { fields: ['element'], check: (_, def, compile) => arrayCheck(def, compile) },
  $ZodUnion: { fields: ['options'], check: (_, def, compile) => unionCheck(def, compile) },
  // Only as a strict object's catchall (which zod's object reads by kind).
  $ZodNever: { fields: [], check: () => leaf(() => false) },
} satisfies Record<string, { fields: string[]; check: (schema: z.ZodType, def: Def, compile: Compile) => Check }>;

type Kind = keyof typeof PARTS;

function compilePart(schema: z.ZodType, compile: Compile): Check {
  const kind = kindOf(schema);
  if (kind === null) return byZod(schema);
  const def = internalsOf(schema).def;
  if (def.checks?.length) {
    const bounds = kind === '$ZodNumber' ? numberChecks(def.checks) : null;
    return bounds ? leaf((v) => isNumber(v) && bounds.every((test) => test(v))) : byZod(schema);
  }
  return PARTS[kind].check(schema, def, compile);
}

/** A compiler of checks that compiles each schema once; a schema met while it is being compiled (recursion) gets a check that calls its own once made. */
function compiler(): Compile {
  const compiled = new Map<z.ZodType, Check>();
  const compile: Compile = (schema) => {
    const known = compiled.get(schema);
    if (known) return known;
    let check: Check | undefined;
    compiled.set(schema, (value, replace, holder, key) => check!(value, replace, holder, key));
    check = compilePart(schema, compile);
    compiled.set(schema, check);
    return check;
  };
  return compile;
}

/**
 * `schema` as a schema that checks a value without copying it when it can (see above): the
 * same acceptance, output and issues as `schema`. The value given must be the caller's to keep
 * (fresh from JSON.parse): the output may be that very value, with parts zod parsed put in place.
 */
export function inPlace<T extends z.ZodType>(schema: T): z.ZodType<z.output<T>, unknown> {
  const check = compiler()(schema);
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
