/**
 * The simulated endpoint in its own process for the benchmark: fixed latency, an echo persona.
 * Prints its base URL, then for each line `usage` on stdin (and on SIGTERM) the requests served
 * and CPU milliseconds spent since it was ready. With `trace` as second argument it keeps every
 * request's arrival and send times, printed as JSON pairs for each line `timeline` on stdin
 * (test/bench/run-timeline.ts); without it, no request log, so memory stays flat.
 */
import { createInterface } from 'node:readline';
import { startSimServer } from '../../src/endpoints/sim/server.js';

const latencyMs = Number(process.argv[2] ?? 50);
const trace = process.argv[3] === 'trace';
const server = await startSimServer({
  personas: [{ name: 'echo', reply: (request) => ({ content: `echo: ${request.messages.at(-1)?.content ?? ''}` }) }],
  faults: latencyMs > 0 ? { latency: { minMs: latencyMs, maxMs: latencyMs } } : {},
  keepLog: trace,
});
const ready = process.cpuUsage();
process.stdout.write(`${server.baseURL}\n`);
const usage = () => {
  const used = process.cpuUsage(ready);
  process.stdout.write(`${JSON.stringify({ requests: server.requests(), cpuMs: (used.user + used.system) / 1000 })}\n`);
};
const timeline = () => process.stdout.write(`${JSON.stringify(server.log().map((e) => [e.receivedAt, e.sentAt ?? null]))}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'usage') usage();
  if (line.trim() === 'timeline') timeline();
});
process.on('SIGTERM', () => {
  usage();
  void server.close().then(() => process.exit(0));
});
