/** Every command's --help shows examples, and the flags a newcomer needs are where they look first. */
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { runCaps } from '../helpers/cli.js';
import { thousands } from '../../src/cli/help.js';

function commands(program: Command, prefix: string[] = []): string[][] {
  return program.commands.flatMap((c) => [[...prefix, c.name()], ...commands(c, [...prefix, c.name()])]);
}

// Every command is loaded (a bare program lists them all).
const program = await buildProgram();

describe('caps --help', () => {
  const all = commands(program);

  it.each(all.map((path) => [path.join(' '), path]))('caps %s --help has an example', async (_, path) => {
    const help = await runCaps([...(path as string[]), '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/\nExamples:\n {2}\$ caps /);
  });

  it('puts --no-cache on the first screen of caps run --help', async () => {
    const help = await runCaps(['run', '--help']);
    const line = help.stdout.split('\n').findIndex((l) => l.includes('--no-cache'));
    expect(line).toBeGreaterThanOrEqual(0);
    expect(line).toBeLessThan(12);
  });

  it('spells shared flags alike in every command that has them', () => {
    const spelled = new Map<string, Set<string>>();
    for (const path of all) {
      let command = program;
      for (const name of path) command = command.commands.find((c) => c.name() === name)!;
      for (const option of command.options) {
        if (!option.long) continue;
        const set = spelled.get(option.long) ?? new Set();
        set.add(option.short ?? '');
        spelled.set(option.long, set);
      }
    }
    for (const long of ['--out', '--quiet', '--config', '--bank']) expect([...spelled.get(long)!], long).toEqual([{ '--out': '-o', '--quiet': '-q', '--config': '-c', '--bank': '-b' }[long]]);
  });

  it('writes counts in help texts with thousands separators, as toLocaleString("en") would', () => {
    for (const n of [0, 7, 999, 1000, 25_000, 100_000, 1_234_567]) expect(thousands(n)).toBe(n.toLocaleString('en'));
  });
});
