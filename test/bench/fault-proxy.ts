/**
 * A fault-injecting HTTP proxy for the soak benchmark: forwards to an upstream endpoint and
 * spoils a share of the requests: connection reset before the answer, 500, 429 with
 * Retry-After 0, a body cut off mid-way, invalid JSON with status 200, or a long stall.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRandom } from '../../src/analysis/random.js';

export const PROXY_FAULTS = ['reset', '500', '429', 'truncated', 'malformed', 'stall'] as const;

export interface FaultProxy {
  baseURL: string;
  counts(): { requests: number; faults: number };
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: string, rate: number, seed = 1): Promise<FaultProxy> {
  const target = new URL(upstream);
  const random = createRandom(seed);
  let requests = 0;
  let faults = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const fault = random() < rate ? PROXY_FAULTS[Math.floor(random() * PROXY_FAULTS.length)] : null;
    if (fault) faults++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (fault === 'reset') return req.socket.destroy();
      if (fault === '500') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"injected"}}');
      if (fault === '429') return void res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' }).end('{"error":{"message":"slow down"}}');
      if (fault === 'malformed') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [ {"mess');
      if (fault === 'stall') return setTimeout(() => req.socket.destroy(), 2_000);
      const path = target.pathname.replace(/\/$/, '') + (req.url ?? '').replace(/^\/v1/, '');
      const forward = http.request({ host: target.hostname, port: target.port, path, method: req.method, headers: req.headers }, (up) => {
        const body: Buffer[] = [];
        up.on('data', (c: Buffer) => body.push(c));
        up.on('end', () => {
          const all = Buffer.concat(body);
          if (fault === 'truncated') {
            res.writeHead(up.statusCode ?? 200, { 'content-type': 'application/json', 'content-length': all.length });
            res.write(all.subarray(0, all.length >> 1));
            return setTimeout(() => req.socket.destroy(), 5);
          }
          res.writeHead(up.statusCode ?? 200, { 'content-type': up.headers['content-type'] ?? 'application/json', 'content-length': all.length }).end(all);
        });
      });
      forward.on('error', () => req.socket.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    counts: () => ({ requests, faults }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
