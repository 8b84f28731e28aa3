import type { IncomingMessage, ServerResponse } from 'node:http';
import { EndpointConfig, type EndpointConfigInput } from '../../src/schema/config.js';
import type { SimPersona } from '../../src/endpoints/sim/server.js';

/** Answers with the last user message, so tests can tell requests apart. */
export const echoPersona: SimPersona = {
  name: 'echo',
  reply: (request) => ({ content: `echo: ${request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''}` }),
};

/** The echo persona answering after `delayMs`, counting the most requests it had in hand at once. */
export function countingEchoPersona(delayMs: number): { persona: SimPersona; peak(): number; reset(): void } {
  let inFlight = 0;
  let peak = 0;
  const persona: SimPersona = {
    ...echoPersona,
    reply: async (request, rng) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      inFlight--;
      return echoPersona.reply(request, rng);
    },
  };
  return { persona, peak: () => peak, reset: () => (peak = 0) };
}

export function endpoint(baseURL: string, overrides: Partial<EndpointConfigInput> = {}): EndpointConfig {
  return EndpointConfig.parse({ name: 'sim', baseURL, model: 'echo', retries: 6, timeout_ms: 5_000, ...overrides });
}

/**
 * A server's handler: /redirect/... is sent on to /sse/... with a 307; anything else is answered
 * with an event stream of one event and then nothing (/sse/ends ends after a second one).
 * `onClose` is called as each event stream's response closes.
 */
export function stallingEventStream(onClose: () => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.url!.startsWith('/redirect/')) {
      res.writeHead(307, { location: req.url!.replace('/redirect/', '/sse/') });
      return res.end();
    }
    res.on('close', onClose);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"choices":[]}\n\n');
    if (req.url === '/sse/ends') res.end('data: [DONE]\n\n');
  };
}
