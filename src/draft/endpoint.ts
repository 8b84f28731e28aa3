/** The endpoint that drafts: named in the config, or its first endpoint. Shared by `caps draft` and the studio's draft button. */
import { existsSync } from 'node:fs';
import { loadConfig } from '../endpoints/config.js';
import { closestMatch } from '../bank/suggest.js';
import { UserError } from '../errors.js';
import type { CapsConfig, EndpointConfig } from '../schema/config.js';

export function draftEndpoint(config: CapsConfig, configPath: string, model?: string): EndpointConfig {
  const endpoint = model ? config.endpoints.find((e) => e.name === model) : config.endpoints[0];
  if (!endpoint) {
    const hint = model ? closestMatch(model, config.endpoints.map((e) => e.name)) : undefined;
    throw new UserError(`${model ? `--model "${model}" is not an endpoint of ${configPath}` : `${configPath} has no endpoint`}${hint ? `; did you mean "${hint}"?` : ''} (endpoints: ${config.endpoints.map((e) => e.name).join(', ')})`);
  }
  return endpoint;
}

/** The endpoint names a config offers for drafting (none when there is no config). */
export function draftEndpointNames(configFile: string | undefined): string[] {
  return configFile && existsSync(configFile) ? loadConfig(configFile).endpoints.map((e) => e.name) : [];
}
