/**
 * The studio database: one SQLite file (better-sqlite3) in WAL mode with foreign keys on,
 * versioned by `PRAGMA user_version` and brought up to date by the migrations below, in
 * order, each in one transaction. It holds what only people produce (graders, reservations,
 * labels, comments, the audit log); banks and runs stay files.
 */
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../errors.js';

export type Db = Database.Database;

/**
 * Each migration moves the schema one version up. Append new ones; never edit a released
 * one (a database records only its version number).
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE graders (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('physician', 'senior', 'coordinator')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    admitted_at TEXT
  );
  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    grader_id INTEGER NOT NULL REFERENCES graders(id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    dir TEXT NOT NULL UNIQUE,
    bank_id TEXT NOT NULL,
    bank_hash TEXT NOT NULL
  );
  CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    key TEXT NOT NULL,
    item TEXT NOT NULL,
    variant TEXT NOT NULL,
    turn INTEGER NOT NULL,
    -- A stable shuffle, so the queue order says nothing about who answered.
    position TEXT NOT NULL,
    calibration INTEGER NOT NULL DEFAULT 0,
    UNIQUE (run_id, key)
  );
  CREATE INDEX answers_position ON answers (calibration, position);
  -- A slot is one grader's turn on one answer: reserved when opened, submitted once labelled.
  CREATE TABLE slots (
    id INTEGER PRIMARY KEY,
    answer_id INTEGER NOT NULL REFERENCES answers(id),
    grader_id INTEGER NOT NULL REFERENCES graders(id),
    reserved_at TEXT NOT NULL,
    submitted_at TEXT,
    UNIQUE (answer_id, grader_id)
  );
  CREATE INDEX slots_answer ON slots (answer_id);
  -- Append-only: a changed label is a new row pointing at the one it replaces.
  CREATE TABLE labels (
    id INTEGER PRIMARY KEY,
    answer_id INTEGER NOT NULL REFERENCES answers(id),
    grader_id INTEGER NOT NULL REFERENCES graders(id),
    entry TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('grade', 'reference', 'adjudication')),
    met INTEGER CHECK (met IN (0, 1)),
    reason TEXT,
    quote TEXT,
    span_start INTEGER,
    span_end INTEGER,
    bank_hash TEXT NOT NULL,
    at TEXT NOT NULL,
    replaces INTEGER REFERENCES labels(id),
    -- Set once the label is appended to the run folder's verdicts.jsonl.
    synced INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX labels_unit ON labels (answer_id, entry);
  CREATE INDEX labels_replaces ON labels (replaces);
  CREATE INDEX labels_unsynced ON labels (synced) WHERE synced = 0;
  CREATE TRIGGER labels_append_only BEFORE UPDATE ON labels WHEN NEW.synced IS OLD.synced
    BEGIN SELECT RAISE(ABORT, 'labels are append-only'); END;
  CREATE TRIGGER labels_no_delete BEFORE DELETE ON labels
    BEGIN SELECT RAISE(ABORT, 'labels are append-only'); END;
  CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    answer_id INTEGER NOT NULL REFERENCES answers(id),
    grader_id INTEGER NOT NULL REFERENCES graders(id),
    entry TEXT,
    text TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    grader_id INTEGER REFERENCES graders(id),
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    previous TEXT,
    value TEXT,
    reason TEXT
  );
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Opens (creating if needed) and migrates the studio database; every failure a user can fix is a one-line UserError. */
export function openDb(file: string): Db {
  const fresh = !existsSync(file);
  const dir = dirname(file);
  try {
    if (fresh) mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    if (!fresh) accessSync(file, constants.W_OK);
  } catch {
    throw new UserError(`${fresh ? dir : file}: not writable; the studio keeps its database there (WAL mode writes beside it). Pass --db FILE in a folder you can write.`);
  }
  let db: Db;
  try {
    db = new Database(file, { timeout: 2000 });
  } catch (err) {
    throw new UserError(`${file}: cannot open the studio database (${(err as Error).message}).`);
  }
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a committed label survives the process being killed (only a power loss may drop the last commits).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
    return db;
  } catch (err) {
    db.close();
    throw dbError(err, file);
  }
}

function migrate(db: Db, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new UserError(`${file}: made by a newer caps (database version ${version}, this caps knows up to ${SCHEMA_VERSION}); upgrade caps-eval, or pass --db for a new database.`);
  }
  for (let v = version; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/** SQLite failures a user can act on, as one line. */
export function dbError(err: unknown, file: string): Error {
  if (err instanceof UserError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new UserError(`${file}: the database is locked by another program (another caps studio?); close it and start again.`);
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM')) {
    return new UserError(`${file}: cannot write the database (${code}); check the folder's permissions or pass --db FILE elsewhere.`);
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new UserError(`${file}: not a studio database (${code}); pass --db FILE for a new one.`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
