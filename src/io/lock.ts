/**
 * One writer per run folder: a lock file (`.lock`: pid, host, start time) created atomically
 * with link(2), released when the writer finishes, exits or is stopped by a signal. A lock
 * left by a process that no longer exists on this host is recognised as stale and taken over.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { asWriteError, tempPathFor } from './safe-write.js';

export const LOCK_FILE = '.lock';

const LockOwner = z.object({ pid: z.number().int(), host: z.string(), started_at: z.string(), command: z.string().optional() });
type LockOwner = z.infer<typeof LockOwner>;

export class RunFolderLockedError extends UserError {
  constructor(readonly owner: LockOwner) {
    super(`run folder in use by pid ${owner.pid} on ${owner.host} since ${owner.started_at}; wait or use another --out`);
    this.name = 'RunFolderLockedError';
  }
}

export interface RunFolderLock {
  path: string;
  release(): void;
}

const held = new Set<RunFolderLock>();
let exitHooked = false;

/** Takes the lock of a run folder (creating the folder), or throws RunFolderLockedError. */
export function lockRunFolder(dir: string, command = process.argv.slice(2, 3).join(' ')): RunFolderLock {
  const path = join(dir, LOCK_FILE);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw asWriteError(dir, err);
  }
  const owner: LockOwner = { pid: process.pid, host: hostname(), started_at: new Date().toISOString(), ...(command && { command }) };
  const text = JSON.stringify(owner) + '\n';
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path, text)) return remember(path, text);
    const current = readOwner(path);
    if (current === 'gone') continue;
    if (current !== 'unreadable' && !isStale(current)) throw new RunFolderLockedError(current);
    if (current === 'unreadable') throw new UserError(`${path}: lock file is not readable; if no caps process uses this run folder, delete it.`);
    removeStale(path, current);
  }
  const last = readOwner(path);
  throw typeof last === 'object' ? new RunFolderLockedError(last) : new UserError(`${path}: could not take the run folder lock; try again.`);
}

/** link(2) fails if the lock exists, and the file appears whole: no reader meets an empty lock. */
function tryCreate(path: string, text: string): boolean {
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, text);
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw asWriteError(path, err);
  } finally {
    rmSync(tmp, { force: true });
  }
}

function readOwner(path: string): LockOwner | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'unreadable';
  }
  try {
    const parsed = LockOwner.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** A lock is stale when its process no longer exists on this host (locks of other hosts are trusted). */
function isStale(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Moves the stale lock aside before deleting it, and checks it moved the lock it judged: two
 * processes clearing the same stale lock must not delete the fresh lock one of them just took.
 */
function removeStale(path: string, stale: LockOwner): void {
  const aside = tempPathFor(path);
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = readOwner(aside);
  if (typeof moved === 'object' && (moved.pid !== stale.pid || moved.started_at !== stale.started_at)) {
    try {
      linkSync(aside, path); // a fresh lock: put it back
    } catch {
      // the lock was taken again meanwhile; the fresh one stays
    }
  }
  rmSync(aside, { force: true });
}

function remember(path: string, text: string): RunFolderLock {
  const lock: RunFolderLock = {
    path,
    release() {
      if (!held.delete(lock)) return;
      // Only our own lock is removed (a lock judged stale and taken over is someone else's).
      try {
        if (readFileSync(path, 'utf8') === text) rmSync(path, { force: true });
      } catch {
        // already gone
      }
    },
  };
  held.add(lock);
  hookExit();
  return lock;
}

/** Locks are released on normal exit and when the process is ended by a signal nobody else handles. */
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', releaseAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      // A command that handles the signal itself (caps run stops gracefully) releases in its own time.
      if (process.listenerCount(signal) > 1) return;
      releaseAll();
      process.off(signal, onSignal);
      process.kill(process.pid, signal); // then end as the signal would have
    };
    process.on(signal, onSignal);
  }
}

function releaseAll(): void {
  for (const lock of [...held]) lock.release();
}
