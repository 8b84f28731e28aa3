import { EndpointConfig, type EndpointConfigInput } from '../../src/schema/config.js';
import type { SimPersona } from '../../src/endpoints/sim/server.js';

/** Answers with the last user message, so tests can tell requests apart. */
export const echoPersona: SimPersona = {
  name: 'echo',
  reply: (request) => ({ content: `echo: ${request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''}` }),
};

export function endpoint(baseURL: string, overrides: Partial<EndpointConfigInput> = {}): EndpointConfig {
  return EndpointConfig.parse({ name: 'sim', baseURL, model: 'echo', retries: 6, timeout_ms: 5_000, ...overrides });
}
