/**
 * The thread a command runs on (command-thread.ts): `caps ARGV` as the main thread would run it,
 * its exit code the thread's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { main } from './main.js';
import type { CommandThreadData, StopSignal, UnhandledSignal } from './command-thread.js';

const { argv, stdout, stderr } = workerData as CommandThreadData;
// This thread's streams are pipes to the main thread's: progress lines are drawn as on the terminal they reach.
Object.assign(process.stdout, stdout);
Object.assign(process.stderr, stderr);

parentPort!.on('message', (signal: StopSignal) => {
  if (process.listenerCount(signal) > 0) process.emit(signal);
  else parentPort!.postMessage({ unhandled: signal } satisfies UnhandledSignal);
});
// Waiting for signals does not keep the thread alive once the command is done.
parentPort!.unref();

void main(argv).then((code) => {
  process.exitCode = code;
});
