/**
 * The simulated endpoint in its own process for the benchmark: fixed latency, an echo persona,
 * no request log. Prints its base URL, then for each line `usage` on stdin (and on SIGTERM) the
 * requests served and CPU milliseconds spent since it was ready.
 */
import { createInterface } from 'node:readline';
import { startSimServer } from '../../src/endpoints/sim/server.js';

const latencyMs = Number(process.argv[2] ?? 50);
const server = await startSimServer({
  personas: [{ name: 'echo', reply: (request) => ({ content: `echo: ${request.messages.at(-1)?.content ?? ''}` }) }],
  faults: latencyMs > 0 ? { latency: { minMs: latencyMs, maxMs: latencyMs } } : {},
  keepLog: false,
});
const ready = process.cpuUsage();
process.stdout.write(`${server.baseURL}\n`);
const usage = () => {
  const used = process.cpuUsage(ready);
  process.stdout.write(`${JSON.stringify({ requests: server.requests(), cpuMs: (used.user + used.system) / 1000 })}\n`);
};
createInterface({ input: process.stdin }).on('line', (line) => line.trim() === 'usage' && usage());
process.on('SIGTERM', () => {
  usage();
  void server.close().then(() => process.exit(0));
});
