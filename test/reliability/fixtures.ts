/** Shared pieces of the reliability tests: a small bank file, configs written to disk, file walks. */
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { SimPersona } from '../../src/endpoints/sim/server.js';

export function tempDir(prefix = 'caps-rel-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A bank file of `count` items whose only point is met by saying `answer-<id>`. */
export function writeBank(dir: string, count: number, id = 'rel-bank'): string {
  const items = Array.from({ length: count }, (_, i) => ({
    id: `q${i}`,
    topic: 'screening',
    depth: 1 + (i % 3),
    prompt: `Question q${i}?`,
    rubric: { points: [{ id: 'p1', text: `answer-q${i}`, score: 1, match: { any: [`answer-q${i}`] } }] },
  }));
  const path = join(dir, 'bank.yaml');
  writeFileSync(path, stringify({ bank: id, version: 1, language: 'en', depth_scale: { min: 1, max: 3 }, items }));
  return path;
}

export function writeConfig(dir: string, config: unknown, name = 'caps.config.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, stringify(config));
  return path;
}

/** A persona that answers every question, its answers marked with `tag` so servers can be told apart. */
export function taggedPersona(name: string, tag: string): SimPersona {
  return {
    name,
    reply: (request) => {
      const question = request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
      const id = /Question (q\d+)/.exec(question)?.[1] ?? 'q?';
      return { content: `${tag} says answer-${id}.` };
    },
  };
}

/** Every file under a folder, recursively. */
export function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
