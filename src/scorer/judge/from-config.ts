/**
 * The judge (or jury) named on the command line or in the config: endpoint clients built from
 * the config's endpoints, with the config's jury rule and template.
 */
import type { JuryRule } from '../../schema/config.js';
import type { FoundConfig } from '../../endpoints/discover-config.js';
import { createEndpointClient, type EndpointClient } from '../../endpoints/client.js';
import { UserError } from '../../errors.js';
import type { EndpointConfig } from '../../schema/config.js';

export interface JudgeSelection {
  judges: EndpointClient[];
  /** The judges' endpoint configs (names, prices), in the same order. */
  endpoints: EndpointConfig[];
  rule?: JuryRule;
  template?: string;
  /** Where the judge came from, for the first line a command prints. */
  origin: string;
}

/**
 * `names` (from --judge) win over the config's `judge.endpoints`; `none` (from --no-judge)
 * scores with the matchers only. No names and no config judge: no judge.
 */
export function judgesFromConfig(options: { found: FoundConfig; names?: string[]; none?: boolean; env?: NodeJS.ProcessEnv }): JudgeSelection {
  const { found } = options;
  const names = options.names ?? [];
  if (options.none) return { judges: [], endpoints: [], origin: 'judge none (--no-judge): matchers only' };
  if (!found.config) {
    if (names.length > 0) throw new UserError(`--judge ${names.join(' ')} needs the endpoint definitions: pass --config FILE or create ./caps.config.yaml (caps init).`);
    return { judges: [], endpoints: [], origin: 'judge none: matchers only' };
  }
  const config = found.config;
  const chosen = names.length > 0 ? names : (config.judge?.endpoints ?? []);
  const endpoints = chosen.map((name) => {
    const endpoint = config.endpoints.find((e) => e.name === name);
    if (!endpoint) throw new UserError(`${found.path}: no endpoint named "${name}" for --judge (have: ${config.endpoints.map((e) => e.name).join(', ')}).`);
    return endpoint;
  });
  const judges = endpoints.map((endpoint) => createEndpointClient(endpoint, { env: options.env }));
  const origin =
    chosen.length === 0
      ? 'judge none: matchers only (the config names no judge)'
      : `judge ${chosen.join(' + ')} (${names.length > 0 ? '--judge' : `judge: in ${found.path}; --no-judge for matchers only`})`;
  return { judges, endpoints, rule: config.judge?.rule, template: config.judge?.template, origin };
}
