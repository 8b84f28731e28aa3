/** The studio database's faults: each is a one-line error saying what to do, never a stack trace. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, SCHEMA_VERSION } from '../../src/studio/db.js';
import { Store } from '../../src/studio/store.js';
import { UserError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'caps-studio-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function oneLineError(fn: () => unknown, pattern: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(UserError);
  expect((error as Error).message).toMatch(pattern);
  expect((error as Error).message).not.toContain('\n');
}

describe('studio database', () => {
  it('is created in WAL mode with foreign keys and migrated to the current version', () => {
    const db = openDb(join(dir, 'fresh.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    openDb(join(dir, 'fresh.db')).close(); // reopening migrates nothing
  });

  it('keeps labels and the audit log append-only', () => {
    const db = openDb(join(dir, 'append.db'));
    const store = new Store(db);
    const { grader } = store.createGrader(null, 'dr', 'physician');
    store.registerRun('/r', { id: 'b', hash: 'h' }, [{ key: 'k', item: 'i', variant: 'clean', turn: 0 }]);
    const answer = store.answerIds({ runs: ['/r'] })[0];
    store.next(grader);
    const [label] = store.submit(grader, answer, 'grade', [{ entry: 'e', met: true }], 0, 'h');
    const [changed] = store.submit(grader, answer, 'grade', [{ entry: 'e', met: false, reason: 'reread' }], label.id, 'h');
    expect(changed.replaces).toBe(label.id);
    expect(() => db.prepare('UPDATE labels SET met = 0 WHERE id = ?').run(label.id)).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM labels').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    const audit = store.auditLog();
    expect(audit[0]).toMatchObject({ action: 'change label', grader: 'dr', reason: 'reread' });
    expect(JSON.parse(audit[0].previous!)).toMatchObject({ met: true });
    db.close();
  });

  it('refuses a database from a newer caps', () => {
    const file = join(dir, 'newer.db');
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    oneLineError(() => openDb(file), /newer caps .* upgrade caps-eval/);
  });

  it('says so when the folder cannot be written', () => {
    // Tests run as root, for whom permission bits do not stop a write: a file where the folder should be does.
    const blocked = join(dir, 'a-file');
    writeFileSync(blocked, '');
    oneLineError(() => openDb(join(blocked, 'studio.db')), /not writable.*--db FILE/);
  });

  it('says so when another program holds the database locked', () => {
    const file = join(dir, 'locked.db');
    openDb(file).close();
    const holder = new Database(file);
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      oneLineError(() => openDb(file), /locked by another program/);
    } finally {
      holder.exec('COMMIT');
      holder.close();
    }
  });

  it('says so when the file is not a database', () => {
    const file = join(dir, 'garbage.db');
    writeFileSync(file, 'this is not sqlite'.repeat(100));
    oneLineError(() => openDb(file), /not a studio database/);
  });
});
