/**
 * `caps merge`: joins run folders of one bank (typically the shards of a run) into one,
 * each answer once: a success beats an error, otherwise the later record wins.
 */
import { basename, resolve } from 'node:path';
import type { z } from 'zod';
import { RunFolder } from '../io/run-folder.js';
import { JsonlAppender, readJsonl } from '../io/jsonl.js';
import type { Manifest } from '../schema/run.js';
import { ResponseRecord } from '../schema/run.js';
import { AnswerScore } from '../schema/score.js';
import { HARNESS_VERSION } from '../version.js';
import { UserError } from '../errors.js';
import { shardOfText } from './plan.js';
import { missingShardsOf } from './shard-coverage.js';

export interface MergeSummary {
  dir: string;
  answers: number;
  errors: number;
  scores: number;
  /** The different ways the scores copied were made (scorerOf); more than one: the answers were not all scored alike. */
  scorers: string[];
  /** Records left out because another folder had the same answer. */
  duplicates: number;
  /** Shards (i/n) of the split that none of the folders holds: the merged run lacks their answers. */
  missingShards: string[];
  status: Manifest['status'];
}

export async function mergeRuns(options: { dirs: string[]; out: string }): Promise<MergeSummary> {
  if (options.dirs.length === 0) throw new UserError('caps merge needs at least one run folder');
  // One canonical order (shard, then path), so the same folders merge to the same run in any order given.
  const opened = [...new Set(options.dirs.map((dir) => resolve(dir)))].map((dir) => {
    const folder = new RunFolder(dir);
    return { folder, manifest: folder.readManifest() };
  });
  opened.sort((a, b) => shardIndex(a.manifest) - shardIndex(b.manifest) || (a.folder.dir < b.folder.dir ? -1 : a.folder.dir > b.folder.dir ? 1 : 0));
  const sources = opened.map((o) => o.folder);
  const manifests = opened.map((o) => o.manifest);
  const bank = manifests[0].bank;
  manifests.forEach((m, i) => {
    if (m.bank.hash !== bank.hash) {
      throw new UserError(`${sources[i].dir} is a run of bank ${m.bank.id} v${m.bank.version} (hash ${m.bank.hash.slice(0, 12)}), but ${sources[0].dir} is of ${bank.id} v${bank.version} (hash ${bank.hash.slice(0, 12)}); only runs of the same bank content can be merged.`);
    }
  });
  const target = new RunFolder(resolve(options.out));
  if (sources.some((s) => s.dir === target.dir)) throw new UserError(`--out ${options.out} is one of the folders to merge; choose a new folder`);
  if (target.exists()) throw new UserError(`${options.out} already holds a run; merge into a new folder`);

  const responses = await copyChosen(sources.map((s) => s.responsesPath), target.responseAppender(), ResponseRecord, (r) => r.error === null && r.text !== null);
  const scorers = new Set<string>();
  const scores = await copyChosen(sources.map((s) => s.scoresPath), target.scoreAppender(), AnswerScore, () => true, (score) => scorers.add(scorerOf(score)));
  const missing = missingShardsOf(manifests);
  const status = manifests.every(answeredInFull) && responses.failed === 0 && missing.length === 0 ? 'complete' : 'incomplete';
  const byName = <T extends { name: string }>(lists: T[][]) => [...new Map(lists.flat().map((e) => [e.name, e])).values()];
  target.writeManifest({
    id: basename(target.dir),
    harness_version: HARNESS_VERSION,
    bank,
    endpoints: byName(manifests.map((m) => m.endpoints)),
    respondents: byName(manifests.map((m) => m.respondents)),
    plan: { merged_from: sources.map((s) => s.dir), parts: manifests.map((m) => m.plan) },
    counts: { planned: manifests.reduce((s, m) => s + (m.counts.planned ?? 0), 0), done: responses.kept - responses.failed, errors: responses.failed },
    started_at: manifests.map((m) => m.started_at).sort()[0],
    finished_at: new Date().toISOString(),
    status,
  });
  return { dir: target.dir, answers: responses.kept, errors: responses.failed, scores: scores.kept, scorers: [...scorers].sort(), duplicates: responses.duplicates, missingShards: missing, status };
}

/** How a score was made, as a reader compares scorers: the matcher's version and each judge (name, model, template), with the jury's rule. */
function scorerOf(score: AnswerScore): string {
  const { matcher, judges, jury_rule } = score.scorer;
  const jury = judges.map((j) => `${j.name} (${j.model}, ${j.template})`).join(' + ');
  return `matcher ${matcher}${jury ? `, judged by ${jury}${jury_rule ? ` (rule: ${jury_rule})` : ''}` : ', no judge'}`;
}

/** A run that finished every answer it planned; a merge marked incomplete only for lacking shards counts, as its shards are checked here again. */
function answeredInFull(manifest: Manifest): boolean {
  if (manifest.status === 'complete') return true;
  const { planned, done, errors } = manifest.counts;
  return Array.isArray(manifest.plan.parts) && errors === 0 && done === planned;
}

function shardIndex(manifest: Manifest): number {
  return shardOfText((manifest.plan.filters as { shard?: unknown } | undefined)?.shard)?.index ?? 0;
}

/**
 * Two streaming passes so that large runs are never held in memory: first choose, for each
 * key, the (file, line) to keep; then copy exactly those lines.
 */
async function copyChosen<S extends z.ZodType<{ key: string }>>(
  paths: string[],
  appender: JsonlAppender,
  schema: S,
  isSuccess: (record: z.infer<S>) => boolean,
  onKept: (record: z.infer<S>) => void = () => {},
): Promise<{ kept: number; failed: number; duplicates: number }> {
  const chosen = new Map<string, { file: number; line: number; ok: boolean }>();
  let seen = 0;
  for (const [file, path] of paths.entries()) {
    let line = 0;
    for await (const record of readJsonl(path, schema)) {
      line++;
      seen++;
      const ok = isSuccess(record);
      const current = chosen.get(record.key);
      if (!current || ok || !current.ok) chosen.set(record.key, { file, line, ok });
    }
  }
  const keep = new Set([...chosen.values()].map((c) => `${c.file}:${c.line}`));
  try {
    for (const [file, path] of paths.entries()) {
      let line = 0;
      for await (const record of readJsonl(path, schema)) {
        line++;
        if (!keep.has(`${file}:${line}`)) continue;
        appender.append(record);
        onKept(record);
      }
    }
  } finally {
    appender.close();
  }
  const failed = [...chosen.values()].filter((c) => !c.ok).length;
  return { kept: chosen.size, failed, duplicates: seen - chosen.size };
}
