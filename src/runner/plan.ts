/**
 * The plan of a run: bank items x (clean + variants) x samples x endpoints, narrowed by
 * filters and split into shards. A dialogue is one (endpoint, item, variant, sample); it
 * has one answer per turn.
 */
import type { Bank } from '../bank/bank.js';
import { type Item, type Variant } from '../schema/bank.js';
import { CLEAN, ItemStatus } from '../schema/shared.js';
import { countStatuses, itemsWithStatus } from '../bank/status.js';
import type { EndpointConfig } from '../schema/config.js';
import { sha256 } from '../io/hash.js';
import { UserError } from '../errors.js';
import { closestMatch } from '../bank/suggest.js';

export interface Shard {
  /** 1-based, as written on the command line (`--shard 2/8`). */
  index: number;
  count: number;
}

export interface PlanFilters {
  items?: string[];
  topics?: string[];
  depths?: number[];
  /** Variant kinds or ids; `clean` selects the undistracted form. */
  variants?: string[];
  /** Keep the first N items that pass the other filters (all their forms, samples and endpoints). */
  limit?: number;
  shard?: Shard;
  /** Review statuses asked (default: admitted items when the bank records statuses, else all). */
  statuses?: ItemStatus[];
}

export interface Dialogue {
  endpoint: EndpointConfig;
  item: Item;
  variant: Variant | null;
  sample: number;
  /** Answers in this dialogue: 1 + the variant's scripted turns. */
  answers: number;
}

export interface Plan {
  dialogues: Dialogue[];
  counts: PlanCounts;
}

export interface PlanCounts {
  items: number;
  dialogues: number;
  /** Answers to record (one per turn). */
  answers: number;
  byEndpoint: Record<string, { dialogues: number; answers: number }>;
  /** Dialogues of the selection that belong to the other shards (0 without --shard). */
  inOtherShards: number;
}

/** The response key of an answer: respondent, item, variant, turn and sample. */
export function answerKey(parts: { respondent: string; item: string; variant: string; turn: number; sample: number }): string {
  return [parts.respondent, parts.item, parts.variant, `t${parts.turn}`, `s${parts.sample}`].join('|');
}

export function variantId(variant: Variant | null): string {
  return variant?.id ?? CLEAN;
}

export function dialogueKey(dialogue: Dialogue, turn: number): string {
  return answerKey({ respondent: dialogue.endpoint.name, item: dialogue.item.id, variant: variantId(dialogue.variant), turn, sample: dialogue.sample });
}

/** Whether a dialogue belongs to a shard: by the hash of its first answer key, so every run splits alike. */
export function inShard(key: string, shard: Shard): boolean {
  return parseInt(sha256(key).slice(0, 8), 16) % shard.count === shard.index - 1;
}

export function planRun(bank: Bank, endpoints: EndpointConfig[], samples: number, filters: PlanFilters = {}): Plan {
  const items = selectItems(bank, filters);
  const dialogues: Dialogue[] = [];
  const byEndpoint: PlanCounts['byEndpoint'] = {};
  for (const endpoint of endpoints) byEndpoint[endpoint.name] = { dialogues: 0, answers: 0 };
  let inOtherShards = 0;
  for (const item of items) {
    const forms: (Variant | null)[] = [null, ...item.variants].filter((v) => formSelected(v, filters.variants));
    for (const variant of forms) {
      for (let sample = 0; sample < samples; sample++) {
        for (const endpoint of endpoints) {
          const dialogue: Dialogue = { endpoint, item, variant, sample, answers: 1 + (variant?.turns?.length ?? 0) };
          if (filters.shard && !inShard(dialogueKey(dialogue, 0), filters.shard)) {
            inOtherShards++;
            continue;
          }
          dialogues.push(dialogue);
          byEndpoint[endpoint.name].dialogues++;
          byEndpoint[endpoint.name].answers += dialogue.answers;
        }
      }
    }
  }
  return {
    dialogues,
    counts: { items: items.length, dialogues: dialogues.length, answers: dialogues.reduce((s, d) => s + d.answers, 0), byEndpoint, inOtherShards },
  };
}

function selectItems(bank: Bank, filters: PlanFilters): Item[] {
  const ids = new Set(bank.items.map((i) => i.id));
  for (const id of filters.items ?? []) {
    if (!ids.has(id)) {
      const hint = closestMatch(id, ids);
      throw new UserError(`--items: no item "${id}" in bank ${bank.id}${hint ? `; did you mean "${hint}"?` : ''}`);
    }
  }
  const topics = filters.topics;
  if (topics) {
    const known = new Set(bank.items.map((i) => i.topic));
    for (const topic of topics) {
      if (!known.has(topic) && ![...known].some((k) => k.startsWith(`${topic}/`))) {
        throw new UserError(`--topics: no item has topic "${topic}" (topics in the bank: ${[...known].sort().join(', ')})`);
      }
    }
  }
  const depths = filters.depths;
  if (depths && !bank.items.some((i) => depths.includes(i.depth))) {
    const levels = [...new Set(bank.items.map((i) => i.depth))].sort((a, b) => a - b);
    throw new UserError(`--depth: no item of bank ${bank.id} is at depth ${depths.join(', ')} (depths in the bank: ${levels.join(', ')})`);
  }
  const variants = filters.variants;
  if (variants) {
    const known = new Set([CLEAN, ...bank.items.flatMap((i) => i.variants.flatMap((v) => [v.id, v.kind]))]);
    for (const v of variants) {
      if (!known.has(v)) throw new UserError(`--variants: "${v}" is neither "clean" nor a variant kind or id in the bank (known: ${[...known].sort().join(', ')})`);
    }
  }
  const asked = new Set(itemsWithStatus(bank.items, filters.statuses));
  if (asked.size === 0) {
    const counts = Object.entries(countStatuses(bank.items)).filter(([, n]) => n > 0).map(([status, n]) => `${n} ${status === 'unset' ? 'without a status' : status}`);
    throw new UserError(`no item of bank ${bank.id} has status ${(filters.statuses ?? ['admitted']).join(' or ')} (it has ${counts.join(', ')}); choose others with --status, e.g. --status in-review or --status all`);
  }
  for (const id of filters.items ?? []) {
    const item = bank.items.find((i) => i.id === id)!;
    if (!asked.has(item)) {
      throw new UserError(`--items: item "${id}" is ${item.status ?? 'without a status'}, and only ${(filters.statuses ?? ['admitted']).join(', ')} items are asked; pass --status ${item.status ?? 'all'} (or --status all)`);
    }
  }
  let items = bank.items.filter(
    (item) =>
      asked.has(item) &&
      (!filters.items || filters.items.includes(item.id)) &&
      (!topics || topics.some((t) => item.topic === t || item.topic.startsWith(`${t}/`))) &&
      (!depths || depths.includes(item.depth)),
  );
  if (filters.limit !== undefined) items = items.slice(0, filters.limit);
  return items;
}

function formSelected(variant: Variant | null, selection: string[] | undefined): boolean {
  if (!selection) return true;
  if (!variant) return selection.includes(CLEAN);
  return selection.includes(variant.id) || selection.includes(variant.kind);
}

/**
 * `--shard 2/8` (1-based), or `--shard auto` / `auto/8` to take the shard from the scheduler
 * that started this process (see shardFromEnvironment).
 */
export function parseShard(text: string, env: NodeJS.ProcessEnv = process.env): Shard {
  const auto = /^auto(?:\/(\d+))?$/.exec(text.trim());
  if (auto) return shardFromEnvironment(env, auto[1] === undefined ? undefined : Number(auto[1]));
  const shard = shardOfText(text);
  if (!shard) throw new UserError(`--shard "${text}": write i/n with 1 <= i <= n, e.g. --shard 1/4, or auto to take it from the scheduler`);
  return shard;
}

/** A shard written `i/n` (as on the command line, and as a manifest records it), or undefined when the text is not one. */
export function shardOfText(text: unknown): Shard | undefined {
  const m = typeof text === 'string' ? /^(\d+)\/(\d+)$/.exec(text.trim()) : null;
  const shard = m ? { index: Number(m[1]), count: Number(m[2]) } : undefined;
  return shard && validShard(shard) ? shard : undefined;
}

function validShard(shard: Shard): boolean {
  return Number.isInteger(shard.index) && Number.isInteger(shard.count) && shard.count >= 1 && shard.index >= 1 && shard.index <= shard.count;
}

/**
 * The shard of a process started by a cluster scheduler:
 * - a Slurm job array: SLURM_ARRAY_TASK_ID within SLURM_ARRAY_TASK_MIN..MAX (and _STEP), or
 *   with SLURM_ARRAY_TASK_COUNT (from SLURM_ARRAY_TASK_MIN, else 0);
 * - a Kubernetes Indexed Job: JOB_COMPLETION_INDEX (0-based) with the count given as
 *   `--shard auto/N` or CAPS_SHARD_COUNT (Kubernetes does not pass the completions count).
 */
export function shardFromEnvironment(env: NodeJS.ProcessEnv, givenCount?: number): Shard {
  const int = (name: string): number | undefined => {
    const value = env[name]?.trim();
    if (value === undefined || value === '') return undefined;
    if (!/^\d+$/.test(value)) throw new UserError(`--shard auto: ${name}="${env[name]}" is not a whole number`);
    return Number(value);
  };
  const countFromEnv = int('CAPS_SHARD_COUNT');
  const check = (shard: Shard, from: string): Shard => {
    if (!validShard(shard)) throw new UserError(`--shard auto: ${from} gives shard ${shard.index} of ${shard.count}, which does not exist; check the array range and the count`);
    return shard;
  };
  const task = int('SLURM_ARRAY_TASK_ID');
  if (task !== undefined) {
    const [min, max, step] = [int('SLURM_ARRAY_TASK_MIN'), int('SLURM_ARRAY_TASK_MAX'), int('SLURM_ARRAY_TASK_STEP') ?? 1];
    if (min !== undefined && max !== undefined) {
      if (step < 1 || (task - min) % step !== 0) throw new UserError(`--shard auto: SLURM_ARRAY_TASK_ID=${task} is not on the array ${min}-${max}:${step}`);
      const count = Math.floor((max - min) / step) + 1;
      // An array given as a list (--array=1,3,8) spans more indices than it has tasks: its shards would leave gaps.
      const tasks = int('SLURM_ARRAY_TASK_COUNT');
      if (tasks !== undefined && tasks !== count) {
        throw new UserError(`--shard auto: the Slurm array has ${tasks} tasks but spans ${min}-${max}:${step} (${count} indices), so it is not a range; submit it as a range (sbatch --array=0-${tasks - 1}) or write --shard i/${tasks} for each task`);
      }
      return check({ index: (task - min) / step + 1, count }, 'the Slurm array');
    }
    const count = int('SLURM_ARRAY_TASK_COUNT') ?? givenCount ?? countFromEnv;
    if (count === undefined) throw new UserError('--shard auto: SLURM_ARRAY_TASK_ID is set but not the array size; run under sbatch --array, or write --shard auto/N');
    // Without SLURM_ARRAY_TASK_MIN the array is taken to start at 0 (every shard must agree).
    return check({ index: task - (min ?? 0) + 1, count }, 'the Slurm array');
  }
  const index = int('JOB_COMPLETION_INDEX');
  if (index !== undefined) {
    const count = givenCount ?? countFromEnv;
    if (count === undefined) throw new UserError('--shard auto: JOB_COMPLETION_INDEX is set but not the number of shards; write --shard auto/N with N = the Job\'s completions, or set CAPS_SHARD_COUNT');
    return check({ index: index + 1, count }, 'JOB_COMPLETION_INDEX');
  }
  throw new UserError('--shard auto: no scheduler shard found in the environment (JOB_COMPLETION_INDEX of a Kubernetes Indexed Job, or SLURM_ARRAY_TASK_ID of a Slurm array); write --shard i/n instead');
}

/** `--depth 3`, `--depth 2-4`, `--depth 1,3,5`. */
export function parseDepths(text: string): number[] {
  const depths = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new UserError(`--depth "${text}": write a level (3), a range (2-4) or a list (1,3)`);
    const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (to < from) throw new UserError(`--depth "${part}": the range runs backwards`);
    for (let d = from; d <= to; d++) depths.add(d);
  }
  return [...depths];
}

/** `--status admitted,in-review` or `all`. */
export function parseStatuses(text: string): ItemStatus[] {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 1 && names[0] === 'all') return [...ItemStatus.options];
  for (const name of names) {
    if (!ItemStatus.safeParse(name).success) throw new UserError(`--status: "${name}" is not a status; use ${ItemStatus.options.join(', ')} (comma-separated) or all`);
  }
  if (names.length === 0) throw new UserError(`--status needs one or more of ${ItemStatus.options.join(', ')}, or all`);
  return names as ItemStatus[];
}
