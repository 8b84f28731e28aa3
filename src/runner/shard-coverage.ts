/**
 * Whether run folders cover a whole shard split (`caps run --shard i/n`): which shards of each
 * selection none of them holds, so that part of a study is not taken for the whole by
 * `caps merge` or `caps report`.
 */
import type { Manifest } from '../schema/run.js';
import { shardOfText, type Shard } from './plan.js';

/**
 * The missing shards of each selection among these runs (its endpoints, samples, language and filters
 * other than the shard): shard 1/2 of one model and 2/2 of another make neither model whole.
 * A folder merged before counts as the parts it was merged from. With several selections, each
 * gap names the selection that lacks it.
 */
export function missingShardsOf(manifests: readonly Manifest[]): string[] {
  const selections = new Map<string, { label: string; shards: (Shard | undefined)[] }>();
  for (const part of manifests.flatMap((m) => plannedParts(m.plan, m.endpoints.map((e) => e.name)))) {
    const selection = selections.get(part.key) ?? selections.set(part.key, { label: part.label, shards: [] }).get(part.key)!;
    selection.shards.push(part.shard);
  }
  const named = selections.size > 1;
  return [...selections.values()].flatMap((s) => missingShards(s.shards).map((shard) => (named ? `${shard} (${s.label})` : shard)));
}

interface PlannedPart {
  /** What was selected, but for the shard. */
  key: string;
  label: string;
  shard: Shard | undefined;
}

/** The selections a run folder's plan holds: its own, or those of the folders it was merged from. */
function plannedParts(plan: Record<string, unknown>, endpoints: string[]): PlannedPart[] {
  if (Array.isArray(plan.parts)) return plan.parts.flatMap((part) => (part && typeof part === 'object' ? plannedParts(part as Record<string, unknown>, endpoints) : []));
  const { shard, ...filters } = (plan.filters ?? {}) as Record<string, unknown>;
  const asked = plan.by_endpoint && typeof plan.by_endpoint === 'object' ? Object.keys(plan.by_endpoint) : endpoints;
  const names = [...asked].sort().join(', ') || 'no endpoint';
  const samples = typeof plan.samples === 'number' ? plan.samples : undefined;
  const key = JSON.stringify([names, samples ?? null, plan.language ?? null, Object.entries(filters).sort(([a], [b]) => (a < b ? -1 : 1))]);
  return [{ key, label: `${names}${samples === undefined ? '' : `, ${samples} sample${samples === 1 ? '' : 's'}`}`, shard: shardOfText(shard) }];
}

/** Beyond this many hash residues, shards of different counts are not checked one residue at a time. */
const MAX_CHECKED_SPLIT = 1_000_000;

/**
 * The shards that none of the folders covers (a pod that never ran, a folder left out
 * of the list), so that a merge of part of a split is not taken for the whole. A shard i/n holds
 * the dialogues whose hash is i-1 modulo n; with folders of different counts, each hash residue
 * modulo their least common multiple is checked, and a gap is named as the shard of the largest
 * count that would fill it. A whole (unsharded) run among the folders covers everything.
 */
export function missingShards(shards: readonly (Shard | undefined)[]): string[] {
  if (shards.length === 0 || shards.some((s) => s === undefined)) return [];
  // For each count n, which residues modulo n a folder holds.
  const held = new Map<number, boolean[]>();
  for (const { index, count } of shards as readonly Shard[]) {
    const residues = held.get(count) ?? held.set(count, new Array<boolean>(count).fill(false)).get(count)!;
    residues[index - 1] = true;
  }
  const counts = [...held.keys()].sort((a, b) => a - b);
  const largest = counts.at(-1)!;
  const period = counts.reduce(lcm, 1);
  const missing = new Set<number>();
  if (period <= MAX_CHECKED_SPLIT) {
    for (let residue = 0; residue < period; residue++) {
      if (!counts.some((n) => held.get(n)![residue % n])) missing.add((residue % largest) + 1);
    }
  } else if (!counts.some((n) => held.get(n)!.every(Boolean))) {
    // Too many residues to check: a split held whole covers all; otherwise the largest count's absent shards are named (they may be covered in part).
    held.get(largest)!.forEach((isHeld, i) => isHeld || missing.add(i + 1));
  }
  return [...missing].sort((a, b) => a - b).map((i) => `${i}/${largest}`);
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;
