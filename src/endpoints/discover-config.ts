/**
 * The one rule every command follows to find its config: `--config FILE`, else
 * `caps.config.yaml` in the working folder, else none. Keys may sit in `.env` in the working
 * folder; it is read once (variables already set win) and its values are never printed.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CapsConfig } from '../schema/config.js';
import { UserError } from '../errors.js';
import { loadConfig } from './config.js';

export const DEFAULT_CONFIG_FILE = 'caps.config.yaml';

export interface FoundConfig {
  /** The file read, as given or found; null when there is none. */
  path: string | null;
  /** How it was found, for the first line every command prints. */
  source: 'given with --config' | 'found in the working folder' | 'none';
  config: CapsConfig | null;
}

export function discoverConfig(option: string | undefined, cwd: string = process.cwd()): FoundConfig {
  if (option) {
    if (!existsSync(resolve(cwd, option))) throw new UserError(`--config ${option}: no such file. Create one with caps init, or copy caps.config.example.yaml.`);
    return { path: option, source: 'given with --config', config: loadConfig(resolve(cwd, option)) };
  }
  if (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE))) {
    return { path: `./${DEFAULT_CONFIG_FILE}`, source: 'found in the working folder', config: loadConfig(resolve(cwd, DEFAULT_CONFIG_FILE)) };
  }
  return { path: null, source: 'none', config: null };
}

/** "config ./caps.config.yaml (found in the working folder)" or "no config (...)". */
export function describeConfig(found: FoundConfig): string {
  return found.path ? `config ${found.path} (${found.source})` : `no config (no --config and no ./${DEFAULT_CONFIG_FILE})`;
}

/** Names of the variables `.env` set (those already in the environment are kept), or null without a `.env`. */
export function loadDotEnv(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string[] | null {
  const file = resolve(cwd, '.env');
  if (!existsSync(file)) return null;
  const before = new Set(Object.keys(env));
  try {
    process.loadEnvFile(file);
  } catch (err) {
    throw new UserError(`.env: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); fix or remove the file.`);
  }
  return Object.keys(env).filter((name) => !before.has(name));
}
