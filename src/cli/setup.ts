/**
 * What every command that talks to endpoints says first: which config, which judge, and
 * whether `.env` supplied variables (names only, never values).
 */
import { describeConfig, discoverConfig, loadDotEnv, type FoundConfig } from '../endpoints/discover-config.js';

/** Per working folder: the variables its `.env` set (read once; later reads would find them set). */
const dotEnvRead = new Map<string, string[]>();

/** Reads ./.env (called by main before any command runs). */
export function readDotEnv(): void {
  const cwd = process.cwd();
  if (!dotEnvRead.has(cwd)) dotEnvRead.set(cwd, loadDotEnv(cwd) ?? []);
}

function dotEnvNote(): string | null {
  const names = dotEnvRead.get(process.cwd()) ?? [];
  return names.length === 0 ? null : `.env set ${names.join(', ')}`;
}

/** Finds the config by the one rule and prints the command's first line to standard error. */
export function announceSetup(command: string, configOption: string | undefined, describe: (found: FoundConfig) => string[]): FoundConfig {
  const found = discoverConfig(configOption);
  const parts = [describeConfig(found), ...describe(found), dotEnvNote()].filter((p): p is string => Boolean(p));
  process.stderr.write(`caps ${command}: ${parts.join(' · ')}\n`);
  return found;
}
