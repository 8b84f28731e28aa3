/**
 * A command run on a worker thread whose young generation is capped, this thread only waiting.
 * The main isolate's young generation grows to V8's default maximum (32 MB of new space) while
 * `caps score` loads its bank and cannot be shrunk once Node runs; a worker's is bounded from
 * its start (resourceLimits). Scoring on two threads peaked at 250 MB with the command here and
 * under 200 MB with it on such a thread (docs/benchmarks.md). What the user sees is unchanged:
 * the thread's output passes through this process's streams, it is told whether they are a
 * terminal, stop signals are passed to it, and its exit code is this process's.
 */
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../io/worker-entry.js';

/** Young generation of the command's thread, in MB: 16 peaked at 191-206 MB at 100,000 answers, 8 at 181-191 (docs/benchmarks.md). */
const YOUNG_GENERATION_MB = 8;

/** The signals a command may handle (caps run and the run folder lock stop cleanly on them). */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** What a terminal looks like to the command: a worker's streams are pipes, not the terminal. */
export interface StreamLook {
  isTTY?: boolean;
  columns?: number;
}

export interface CommandThreadData {
  argv: string[];
  stdout: StreamLook;
  stderr: StreamLook;
}

/** A signal the command's thread has no handler for: this process ends by it, as it would have. */
export interface UnhandledSignal {
  unhandled: StopSignal;
}

const look = (stream: NodeJS.WriteStream): StreamLook => ({ isTTY: stream.isTTY, columns: stream.columns });

/** Runs `caps ARGV` on a capped thread; resolves to its exit code. */
export function runOnCappedThread(argv: string[]): Promise<number> {
  const entry = workerEntry(import.meta.url, 'command-worker');
  // From the sources (tsx), a worker could load only CommonJS, which the command's modules are not: it runs here.
  if (entry.evaluated) return import('./main.js').then(({ main }) => main(argv));
  const data: CommandThreadData = { argv, stdout: look(process.stdout), stderr: look(process.stderr) };
  const worker = new Worker(entry.code, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  // Signals reach only the main thread: each is passed on for the command to handle.
  const forward = (signal: StopSignal) => worker.postMessage(signal);
  const stopForwarding = () => {
    for (const signal of STOP_SIGNALS) process.off(signal, forward);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, forward);
  worker.on('message', ({ unhandled }: UnhandledSignal) => {
    stopForwarding();
    process.kill(process.pid, unhandled);
  });
  return new Promise<number>((resolve) => {
    let failed = false;
    worker.on('error', (err) => {
      failed = true;
      // What main() does with an error it did not expect, for one thrown outside it.
      process.stderr.write(`caps: internal error: ${err instanceof Error ? err.message : String(err)}\n(set CAPS_DEBUG=1 for details)\n`);
      if (process.env.CAPS_DEBUG) console.error(err);
    });
    worker.on('exit', (code) => {
      stopForwarding();
      resolve(failed ? 3 : code);
    });
  });
}
