/**
 * The judge (or jury) named on the command line or in `caps.config.yaml`: endpoint clients
 * built from the config's endpoints, with the config's jury rule and template.
 */
import { existsSync } from 'node:fs';
import type { CapsConfig, JuryRule } from '../../schema/config.js';
import { loadConfig } from '../../endpoints/config.js';
import { createEndpointClient, type EndpointClient } from '../../endpoints/client.js';
import { UserError } from '../../errors.js';

export const DEFAULT_CONFIG_FILE = 'caps.config.yaml';

export interface JudgeSelection {
  judges: EndpointClient[];
  rule?: JuryRule;
  template?: string;
}

/**
 * `names` (from --judge) win over the config's `judge.endpoints`. Without --config, the
 * config is read from ./caps.config.yaml when judges are named. No names and no config
 * judge: no judge (matcher only).
 */
export function judgesFromConfig(options: { names?: string[]; configPath?: string; env?: NodeJS.ProcessEnv }): JudgeSelection {
  const names = options.names ?? [];
  const configPath = options.configPath ?? (names.length > 0 || existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (!configPath) return { judges: [] };
  if (!existsSync(configPath)) {
    throw new UserError(`--judge ${names.join(' ')} needs the endpoint definitions: no ${configPath} here; pass --config FILE.`);
  }
  const config: CapsConfig = loadConfig(configPath);
  const chosen = names.length > 0 ? names : (config.judge?.endpoints ?? []);
  const judges = chosen.map((name) => {
    const endpoint = config.endpoints.find((e) => e.name === name);
    if (!endpoint) {
      throw new UserError(`${configPath}: no endpoint named "${name}" for --judge (have: ${config.endpoints.map((e) => e.name).join(', ')}).`);
    }
    return createEndpointClient(endpoint, { env: options.env });
  });
  return { judges, rule: config.judge?.rule, template: config.judge?.template };
}
