/** The simulated endpoint in its own process (sim-child.ts), for benchmarks that measure the runner from outside it. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface SimUsage {
  requests: number;
  cpuMs: number;
}

export interface SimProcess {
  baseURL: string;
  /** Requests served and CPU spent by the server since it started listening. */
  usage(): Promise<SimUsage>;
  /** Each request's arrival and response-sent times (ms since the epoch); only when started with `trace`. */
  timeline(): Promise<[number, number | null][]>;
  stop(): Promise<void>;
}

export async function startSimProcess(latencyMs: number, options: { trace?: boolean } = {}): Promise<SimProcess> {
  const args = ['--import', 'tsx', join(import.meta.dirname, 'sim-child.ts'), String(latencyMs), ...(options.trace ? ['trace'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const baseURL = (await lines.next()).value as string;
  const ask = async (command: string) => {
    child.stdin.write(`${command}\n`);
    return JSON.parse((await lines.next()).value as string) as unknown;
  };
  return {
    baseURL,
    usage: async () => (await ask('usage')) as SimUsage,
    timeline: async () => (await ask('timeline')) as [number, number | null][],
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
