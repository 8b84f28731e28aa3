/** The simulated endpoint in its own process for the benchmark: fixed latency, an echo persona. */
import { startSimServer } from '../../src/endpoints/sim/server.js';

const latencyMs = Number(process.argv[2] ?? 50);
const server = await startSimServer({
  personas: [{ name: 'echo', reply: (request) => ({ content: `echo: ${request.messages.at(-1)?.content ?? ''}` }) }],
  faults: latencyMs > 0 ? { latency: { minMs: latencyMs, maxMs: latencyMs } } : {},
});
process.stdout.write(`${server.baseURL}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
