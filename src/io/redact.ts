/**
 * The one redaction step every printed line and every written record passes through: the
 * values of API key variables and configured header values are replaced by `[redacted]`,
 * also in their URL-encoded, JSON-escaped and Base64 forms (a server may echo an
 * Authorization header back, e.g. `Basic base64(user:key)`).
 *
 * Secrets are registered once (from the environment at first use, and from every endpoint's
 * resolved key and headers); writers call `redact` / `redactDeep` without knowing which.
 */

export const REDACTED = '[redacted]';

/**
 * Shorter values are not treated as secrets: replacing a 3-letter header value such as
 * "eu1" everywhere would corrupt answers, and no credential is that short.
 */
export const MIN_SECRET_LENGTH = 8;

/** Environment variables whose names say they hold a credential. */
const SECRET_ENV_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)/i;

const secrets = new Set<string>();
let pattern: RegExp | null = null;
let envScanned = false;

/** Registers a secret value (and the forms it may take on the wire). */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  const before = secrets.size;
  for (const form of secretForms(value)) if (form.length >= MIN_SECRET_LENGTH - 2) secrets.add(form);
  if (secrets.size !== before) pattern = null;
}

/** Registers the values of every environment variable named like a credential (`*_API_KEY`, `*_TOKEN`, ...). */
export function registerSecretEnv(env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(env)) if (SECRET_ENV_NAME.test(name)) registerSecret(value);
}

/** Forgets every registered secret (tests). */
export function clearSecrets(): void {
  secrets.clear();
  pattern = null;
  envScanned = true;
}

function ensureEnvScanned(): void {
  if (envScanned) return;
  envScanned = true;
  registerSecretEnv();
}

/** Replaces every registered secret in a text. Cheap when there is none. */
export function redact(text: string): string {
  ensureEnvScanned();
  if (secrets.size === 0) return text;
  pattern ??= new RegExp([...secrets].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  pattern.lastIndex = 0;
  return pattern.test(text) ? text.replace(pattern, REDACTED) : text;
}

/** Redacts every string inside a JSON-like value, returning a copy only where something changed. */
export function redactDeep<T>(value: T): T {
  ensureEnvScanned();
  if (secrets.size === 0) return value;
  return walk(value) as T;
}

function walk(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = walk(v);
      if (r !== v) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = walk(v);
      if (r !== v) changed = true;
      out[k] = r;
    }
    return changed ? out : value;
  }
  return value;
}

/** The value as it may appear: raw, URL-encoded (both space styles), JSON-escaped, Base64 at any byte alignment. */
function secretForms(value: string): string[] {
  const forms = [value, encodeURIComponent(value), encodeURIComponent(value).replace(/%20/g, '+'), JSON.stringify(value).slice(1, -1)];
  const bytes = Buffer.from(value, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    // Inside a longer Base64 text the secret starts at one of three byte alignments; the
    // characters that depend only on the secret's own bytes are the same in every such text.
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const skipStart = offset === 0 ? 0 : offset + 1;
    const stableEnd = Math.floor(padded.length / 3) * 4;
    for (const encoded of [padded.toString('base64'), padded.toString('base64url')]) forms.push(encoded.slice(skipStart, stableEnd));
  }
  return [...new Set(forms)];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type Write = typeof process.stdout.write;

/**
 * Routes everything written to stdout and stderr (our messages, library debug logs such as
 * DEBUG=* or OPENAI_LOG=debug output) through `redact`. Returns the function that undoes it.
 */
export function redactStandardStreams(): () => void {
  const restore = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write;
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : chunk;
      return (original as (...args: unknown[]) => boolean).call(this, typeof text === 'string' ? redact(text) : text, ...rest);
    } as Write;
    return () => {
      stream.write = original;
    };
  });
  return () => restore.forEach((undo) => undo());
}
