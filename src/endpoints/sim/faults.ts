/**
 * Fault injection for the simulated endpoint, from a spec such as
 * `latency=50ms,429=0.05:retry-after=1,500=0.02,reset=0.01,malformed=0.01,truncated=0.01,empty=0.01,slow-stream=0.02:chunk-delay=200ms`.
 */
import { z } from 'zod';
import { UserError } from '../../errors.js';

const Rate = z.number().min(0).max(1);

export const FaultSpec = z.strictObject({
  /** Added before every answer: uniform between min and max milliseconds. */
  latency: z.strictObject({ minMs: z.number().nonnegative(), maxMs: z.number().nonnegative() }).optional(),
  rateLimit: z.strictObject({ rate: Rate, retryAfterSeconds: z.number().nonnegative().optional() }).optional(),
  serverError: z.strictObject({ rate: Rate }).optional(),
  reset: z.strictObject({ rate: Rate }).optional(),
  malformed: z.strictObject({ rate: Rate }).optional(),
  truncated: z.strictObject({ rate: Rate }).optional(),
  empty: z.strictObject({ rate: Rate }).optional(),
  slowStream: z.strictObject({ rate: Rate, chunkDelayMs: z.number().nonnegative().default(200) }).optional(),
});
export type FaultSpec = z.infer<typeof FaultSpec>;
export type FaultSpecInput = z.input<typeof FaultSpec>;

export type FaultKind = 'rateLimit' | 'serverError' | 'reset' | 'malformed' | 'truncated' | 'empty' | 'slowStream';
/**
 * What each fault does to a response. `answers`: the server still makes the completion (then
 * spoils, empties or slows it); otherwise it only sends an error status or drops the
 * connection. `inBatch`: a batch's results file holds no HTTP exchange to spoil, so a fault
 * that spoils one becomes that error status there (null: answered as a direct request is).
 */
export const FAULT_EFFECTS: Readonly<Record<FaultKind, { answers: boolean; inBatch: 429 | 500 | null }>> = {
  reset: { answers: false, inBatch: 500 },
  rateLimit: { answers: false, inBatch: 429 },
  serverError: { answers: false, inBatch: 500 },
  malformed: { answers: true, inBatch: 500 },
  truncated: { answers: true, inBatch: 500 },
  empty: { answers: true, inBatch: null },
  slowStream: { answers: true, inBatch: null },
};

/** Order in which faults are drawn for a request: at most one applies. */
export const FAULT_KINDS = Object.keys(FAULT_EFFECTS) as readonly FaultKind[];

const NAMES: Record<string, FaultKind | 'latency'> = {
  latency: 'latency',
  '429': 'rateLimit',
  '500': 'serverError',
  reset: 'reset',
  malformed: 'malformed',
  truncated: 'truncated',
  empty: 'empty',
  'slow-stream': 'slowStream',
};

const SPEC_HELP = 'write e.g. "latency=20-80ms,429=0.05:retry-after=1,500=0.02,reset=0.01,malformed=0.01,truncated=0.01,empty=0.01,slow-stream=0.02:chunk-delay=200ms"';

export function parseFaultSpec(text: string): FaultSpec {
  const spec: Record<string, unknown> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [head, ...options] = part.split(':');
    const [name, value] = head.split('=').map((s) => s.trim());
    const kind = NAMES[name];
    if (!kind) throw new UserError(`--faults: unknown fault "${name}" (known: ${Object.keys(NAMES).join(', ')}); ${SPEC_HELP}`);
    if (value === undefined) throw new UserError(`--faults: "${part}" needs a value; ${SPEC_HELP}`);
    if (kind === 'latency') {
      const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?(ms|s)?$/.exec(value);
      if (!m) throw new UserError(`--faults: latency "${value}" is not a duration such as 50ms or 20-80ms`);
      const unit = m[3] === 's' ? 1000 : 1;
      spec.latency = { minMs: Number(m[1]) * unit, maxMs: Number(m[2] ?? m[1]) * unit };
      continue;
    }
    const rate = Number(value);
    const entry: Record<string, unknown> = { rate };
    for (const option of options) {
      const [key, optionValue] = option.split('=').map((s) => s.trim());
      if (kind === 'rateLimit' && key === 'retry-after') entry.retryAfterSeconds = Number(optionValue);
      else if (kind === 'slowStream' && key === 'chunk-delay') entry.chunkDelayMs = Number(optionValue.replace(/ms$/, ''));
      else throw new UserError(`--faults: "${part}": unknown option "${key}"; ${SPEC_HELP}`);
    }
    spec[kind] = entry;
  }
  const parsed = FaultSpec.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`--faults "${text}": ${issue.path.join('.')}: ${issue.message} (rates are between 0 and 1); ${SPEC_HELP}`);
  }
  const latency = parsed.data.latency;
  if (latency && latency.maxMs < latency.minMs) throw new UserError(`--faults: latency range ${latency.minMs}-${latency.maxMs}ms runs backwards`);
  return parsed.data;
}

/** Draws the fault (if any) for one request. */
export function drawFault(spec: FaultSpec, rng: () => number): FaultKind | null {
  for (const kind of FAULT_KINDS) {
    const fault = spec[kind];
    if (fault && rng() < fault.rate) return kind;
  }
  return null;
}

export function drawLatency(spec: FaultSpec, rng: () => number): number {
  if (!spec.latency) return 0;
  return spec.latency.minMs + rng() * (spec.latency.maxMs - spec.latency.minMs);
}
