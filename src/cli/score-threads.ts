/**
 * How many threads `caps score` scores on, as far as its command line tells before anything
 * is loaded: scoring on threads runs the whole command on a capped thread (command-thread.ts).
 */
import { availableParallelism } from 'node:os';

/**
 * Scoring threads when not given. The main thread keeps a core busy reading and writing, so
 * workers pay only when there are cores to spare: on 2 cores they cost 1.2-1.3x the wall time
 * of one thread (docs/benchmarks.md). With 4 or more, one per core but the main thread's.
 */
export function defaultWorkers(): number {
  const cores = availableParallelism();
  return cores >= 4 ? Math.min(cores - 1, 8) : 0;
}

/** `caps score` asked for two or more scoring threads (--workers, the last one given, else the default); false for help. */
export function scoresOnThreads(argv: readonly string[]): boolean {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  if (words[0] !== 'score' || argv.some((arg) => arg === '-h' || arg === '--help')) return false;
  let workers = String(defaultWorkers());
  argv.forEach((arg, i) => {
    if (arg === '--workers') workers = argv[i + 1] ?? '';
    else if (arg.startsWith('--workers=')) workers = arg.slice('--workers='.length);
  });
  return /^\d+$/.test(workers) && Number(workers) >= 2;
}
