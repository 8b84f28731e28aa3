/**
 * The judge (or jury) named on the command line or in the config: endpoint clients built from
 * the config's endpoints, with the config's jury rule and template.
 */
import type { JuryRule } from '../../schema/config.js';
import type { FoundConfig } from '../../endpoints/discover-config.js';
import type { EndpointClient } from '../../endpoints/client.js';
import { UserError } from '../../errors.js';
import type { EndpointConfig } from '../../schema/config.js';

export interface JudgeSelection {
  /** The judges' endpoint configs (names, prices), in order; none = matchers only. */
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
export function judgesFromConfig(options: { found: FoundConfig; names?: string[]; none?: boolean }): JudgeSelection {
  const { found } = options;
  const names = options.names ?? [];
  if (options.none) return { endpoints: [], origin: 'judge none (--no-judge): matchers only' };
  if (!found.config) {
    if (names.length > 0) throw new UserError(`--judge ${names.join(' ')} needs the endpoint definitions: pass --config FILE or create ./caps.config.yaml (caps init).`);
    return { endpoints: [], origin: 'judge none: matchers only' };
  }
  const config = found.config;
  const chosen = names.length > 0 ? names : (config.judge?.endpoints ?? []);
  const endpoints = chosen.map((name) => {
    const endpoint = config.endpoints.find((e) => e.name === name);
    if (!endpoint) throw new UserError(`${found.path}: no endpoint named "${name}" for --judge (have: ${config.endpoints.map((e) => e.name).join(', ')}).`);
    return endpoint;
  });
  const origin =
    chosen.length === 0
      ? 'judge none: matchers only (the config names no judge)'
      : `judge ${chosen.join(' + ')} (${names.length > 0 ? '--judge' : `judge: in ${found.path}; --no-judge for matchers only`})`;
  return { endpoints, rule: config.judge?.rule, template: config.judge?.template, origin };
}

/** The clients of the selected judges. The endpoint client (the OpenAI SDK) is loaded only when there is a judge: most of a matcher-only command's start-up otherwise. */
export async function judgeClients(selection: JudgeSelection, env?: NodeJS.ProcessEnv): Promise<EndpointClient[]> {
  if (selection.endpoints.length === 0) return [];
  const { createEndpointClient } = await import('../../endpoints/client.js');
  return selection.endpoints.map((endpoint) => createEndpointClient(endpoint, { env }));
}
