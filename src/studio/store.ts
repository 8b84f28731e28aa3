/**
 * The grading workflow over the studio database: graders and their sessions, the
 * reservation of grading slots, append-only labels with an audit row per change, the
 * calibration set and the adjudications. Pure SQL on a better-sqlite3 handle; what a route
 * shows or a file gets is built elsewhere.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import { LabelStage } from '../schema/labels.js';

export const ROLES = ['physician', 'senior', 'coordinator'] as const;
export type Role = (typeof ROLES)[number];

export interface Grader {
  id: number;
  name: string;
  role: Role;
  created_at: string;
  admitted_at: string | null;
}

export interface AnswerRow {
  id: number;
  run_id: number;
  dir: string;
  key: string;
  item: string;
  variant: string;
  turn: number;
  calibration: number;
}

export interface LabelRow {
  id: number;
  answer_id: number;
  grader_id: number;
  entry: string;
  stage: LabelStage;
  met: 0 | 1 | null;
  reason: string | null;
  quote: string | null;
  span_start: number | null;
  span_end: number | null;
  bank_hash: string;
  at: string;
  replaces: number | null;
}

export interface LabelInput {
  entry: string;
  met: boolean | null;
  reason?: string;
  span?: { start: number; end: number; quote: string };
}

export const DEFAULT_SETTINGS = { graders_per_answer: 2, kappa_threshold: 0.6, reservation_minutes: 30 } as const;
export type Settings = { -readonly [K in keyof typeof DEFAULT_SETTINGS]: number };

/** A refusal a grader can act on (HTTP 409 or 403 with this message). */
export class Conflict extends Error {
  constructor(
    message: string,
    readonly status: 403 | 404 | 409 | 422 = 409,
  ) {
    super(message);
  }
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => randomBytes(24).toString('base64url');
const now = () => new Date().toISOString();

export class Store {
  /** Prepared statements by their SQL: preparing on every call leaves native statements for the collector, some 2 KB each. */
  private readonly statements = new Map<string, Statement>();

  constructor(readonly db: Db) {}

  private sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }

  // --- settings ---
  settings(): Settings {
    const rows = this.sql('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const out: Settings = { ...DEFAULT_SETTINGS };
    for (const r of rows) if (r.key in out) out[r.key as keyof Settings] = Number(r.value);
    return out;
  }

  setSetting(by: Grader, key: keyof Settings, value: number): void {
    const previous = this.settings()[key];
    this.db.transaction(() => {
      this.sql('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, String(value));
      this.audit(by.id, 'setting', key, previous, value);
    }).immediate();
  }

  // --- graders and sessions ---
  createGrader(by: Grader | null, name: string, role: Role): { grader: Grader; token: string } {
    const clean = name.trim();
    if (clean === '' || clean.length > 80) throw new Conflict('a grader needs a name of 1 to 80 characters', 422);
    if (!ROLES.includes(role)) throw new Conflict(`role must be one of ${ROLES.join(', ')}`, 422);
    if (this.sql('SELECT 1 FROM graders WHERE name = ?').get(clean)) throw new Conflict(`a grader named "${clean}" already exists`);
    const token = newToken();
    const grader = this.db.transaction(() => {
      const admitted = role === 'coordinator' ? now() : null;
      const { lastInsertRowid } = this.sql('INSERT INTO graders (name, role, token_hash, created_at, admitted_at) VALUES (?, ?, ?, ?, ?)')
        .run(clean, role, hashToken(token), now(), admitted);
      this.audit(by?.id ?? null, 'create grader', `grader:${clean}`, null, { role });
      return this.grader(Number(lastInsertRowid))!;
    }).immediate();
    return { grader, token };
  }

  /** A new invite link for a grader; the old one stops working. */
  reissueToken(by: Grader, graderId: number): string {
    const token = newToken();
    const grader = this.grader(graderId);
    if (!grader) throw new Conflict('no such grader', 404);
    this.db.transaction(() => {
      this.sql('UPDATE graders SET token_hash = ? WHERE id = ?').run(hashToken(token), graderId);
      this.sql('DELETE FROM sessions WHERE grader_id = ?').run(graderId);
      this.audit(by.id, 'reissue invite', `grader:${grader.name}`, null, null);
    }).immediate();
    return token;
  }

  grader(id: number): Grader | undefined {
    return this.sql('SELECT id, name, role, created_at, admitted_at FROM graders WHERE id = ?').get(id) as Grader | undefined;
  }

  graders(): Grader[] {
    return this.sql('SELECT id, name, role, created_at, admitted_at FROM graders ORDER BY id').all() as Grader[];
  }

  graderByToken(token: string): Grader | undefined {
    return this.sql('SELECT id, name, role, created_at, admitted_at FROM graders WHERE token_hash = ?').get(hashToken(token)) as Grader | undefined;
  }

  createSession(graderId: number): { sid: string; csrf: string } {
    const sid = newToken();
    const csrf = newToken();
    this.sql('INSERT INTO sessions (id_hash, grader_id, csrf, created_at) VALUES (?, ?, ?, ?)').run(hashToken(sid), graderId, csrf, now());
    return { sid, csrf };
  }

  session(sid: string): { grader: Grader; csrf: string } | undefined {
    const row = this.sql('SELECT grader_id, csrf FROM sessions WHERE id_hash = ?').get(hashToken(sid)) as { grader_id: number; csrf: string } | undefined;
    if (!row) return undefined;
    const grader = this.grader(row.grader_id);
    return grader && { grader, csrf: row.csrf };
  }

  setAdmitted(by: Grader | null, graderId: number, admitted: boolean, reason: string): void {
    const grader = this.grader(graderId);
    if (!grader) throw new Conflict('no such grader', 404);
    this.db.transaction(() => {
      this.sql('UPDATE graders SET admitted_at = ? WHERE id = ?').run(admitted ? now() : null, graderId);
      this.audit(by?.id ?? null, admitted ? 'admit' : 'hold', `grader:${grader.name}`, grader.admitted_at, admitted, reason);
    }).immediate();
  }

  // --- answers ---
  /** Registers a run's answers (keys only), each at a stable pseudo-random queue position. */
  registerRun(dir: string, bank: { id: string; hash: string }, answers: Iterable<{ key: string; item: string; variant: string; turn: number }>): number {
    return this.db.transaction(() => {
      this.sql('INSERT INTO runs (dir, bank_id, bank_hash) VALUES (?, ?, ?) ON CONFLICT (dir) DO NOTHING').run(dir, bank.id, bank.hash);
      const runId = (this.sql('SELECT id FROM runs WHERE dir = ?').get(dir) as { id: number }).id;
      const insert = this.sql('INSERT INTO answers (run_id, key, item, variant, turn, position) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, key) DO NOTHING');
      for (const a of answers) insert.run(runId, a.key, a.item, a.variant, a.turn, createHash('sha256').update(`${dir}\u0000${a.key}`).digest('hex').slice(0, 16));
      return runId;
    }).immediate();
  }

  /** The run folders whose answers the database knows. */
  runDirs(): string[] {
    return (this.sql('SELECT dir FROM runs').all() as { dir: string }[]).map((r) => r.dir);
  }

  /** Answers in queue order, calibration set first (blind: item and form only), 50 at a time. */
  answerPage(offset: number): { id: number; item: string; variant: string; turn: number; calibration: number }[] {
    return this.sql('SELECT id, item, variant, turn, calibration FROM answers ORDER BY calibration DESC, position LIMIT 50 OFFSET ?').all(offset) as ReturnType<Store['answerPage']>;
  }

  answer(id: number): AnswerRow | undefined {
    return this.sql('SELECT a.*, r.dir FROM answers a JOIN runs r ON r.id = a.run_id WHERE a.id = ?').get(id) as AnswerRow | undefined;
  }

  /** Whether any label (of any stage) exists on this run's answer. */
  hasLabels(dir: string, key: string): boolean {
    return !!this.sql('SELECT 1 FROM labels l JOIN answers a ON a.id = l.answer_id JOIN runs r ON r.id = a.run_id WHERE r.dir = ? AND a.key = ? LIMIT 1').get(dir, key);
  }

  answerIds(filter: { runs: string[] }): AnswerRow[] {
    const marks = filter.runs.map(() => '?').join(',');
    return this.sql(`SELECT a.*, r.dir FROM answers a JOIN runs r ON r.id = a.run_id WHERE r.dir IN (${marks}) ORDER BY a.position`).all(...filter.runs) as AnswerRow[];
  }

  setCalibration(by: Grader, answerIds: number[], on: boolean): void {
    this.db.transaction(() => {
      for (const id of answerIds) {
        const a = this.answer(id);
        if (!a) throw new Conflict(`no answer ${id}`, 404);
        if (Boolean(a.calibration) === on) continue;
        this.sql('UPDATE answers SET calibration = ? WHERE id = ?').run(on ? 1 : 0, id);
        this.audit(by.id, on ? 'add to calibration set' : 'remove from calibration set', `answer:${a.key}`, a.calibration, on ? 1 : 0);
      }
    }).immediate();
  }

  calibrationAnswers(): AnswerRow[] {
    return this.sql('SELECT a.*, r.dir FROM answers a JOIN runs r ON r.id = a.run_id WHERE a.calibration = 1 ORDER BY a.position').all() as AnswerRow[];
  }

  // --- the queue ---
  /**
   * The answer a grader should grade next, reserving its slot. A grader not yet admitted
   * grades the calibration set first; a coordinator grades the calibration set's reference
   * labels. Others take the first answer (in queue order) with a free slot: fewer than N
   * graders submitted or holding a live reservation.
   */
  next(grader: Grader): { answer: AnswerRow; stage: LabelStage } | { done: string } {
    const settings = this.settings();
    return this.db.transaction(() => {
      if (grader.role === 'coordinator') {
        const row = this.sql(
            `SELECT a.id FROM answers a WHERE a.calibration = 1 AND NOT EXISTS
             (SELECT 1 FROM labels l WHERE l.answer_id = a.id AND l.stage = 'reference') ORDER BY a.position LIMIT 1`,
          )
          .get() as { id: number } | undefined;
        return row ? { answer: this.answer(row.id)!, stage: 'reference' as const } : { done: 'every calibration answer has its reference labels' };
      }
      if (!grader.admitted_at && this.calibrationAnswers().length > 0) {
        const row = this.sql(
            `SELECT a.id FROM answers a WHERE a.calibration = 1 AND NOT EXISTS
             (SELECT 1 FROM slots s WHERE s.answer_id = a.id AND s.grader_id = ? AND s.submitted_at IS NOT NULL) ORDER BY a.position LIMIT 1`,
          )
          .get(grader.id) as { id: number } | undefined;
        if (!row) return { done: 'calibration finished: the coordinator admits you to the main queue when your agreement reaches the threshold' };
        this.reserve(grader.id, row.id);
        return { answer: this.answer(row.id)!, stage: 'grade' as const };
      }
      const held = this.sql(
          `SELECT s.answer_id AS id FROM slots s JOIN answers a ON a.id = s.answer_id
           WHERE s.grader_id = ? AND s.submitted_at IS NULL AND a.calibration = 0 ORDER BY a.position LIMIT 1`,
        )
        .get(grader.id) as { id: number } | undefined;
      if (held) return { answer: this.answer(held.id)!, stage: 'grade' as const };
      const cutoff = new Date(Date.now() - settings.reservation_minutes * 60_000).toISOString();
      // Never one's own answer (typed in the studio under one's name): it would not be blind.
      const free = this.sql(
          `SELECT a.id FROM answers a WHERE a.calibration = 0
           AND substr(a.key, 1, length(?) + 1) <> ? || '|'
           AND NOT EXISTS (SELECT 1 FROM slots s WHERE s.answer_id = a.id AND s.grader_id = ?)
           AND (SELECT count(*) FROM slots s WHERE s.answer_id = a.id AND (s.submitted_at IS NOT NULL OR s.reserved_at > ?)) < ?
           ORDER BY a.position LIMIT 1`,
        )
        .get(grader.name, grader.name, grader.id, cutoff, settings.graders_per_answer) as { id: number } | undefined;
      if (!free) return { done: 'no answer left to grade: every answer has its graders' };
      // A lapsed reservation of someone else gives its slot to this grader.
      this.sql('DELETE FROM slots WHERE answer_id = ? AND submitted_at IS NULL AND reserved_at <= ?').run(free.id, cutoff);
      this.reserve(grader.id, free.id);
      return { answer: this.answer(free.id)!, stage: 'grade' as const };
    }).immediate();
  }

  private reserve(graderId: number, answerId: number): void {
    this.sql('INSERT INTO slots (answer_id, grader_id, reserved_at) VALUES (?, ?, ?) ON CONFLICT (answer_id, grader_id) DO UPDATE SET reserved_at = excluded.reserved_at WHERE submitted_at IS NULL').run(answerId, graderId, now());
  }

  /** Whether a grader may (still) grade this answer, and with which stage. */
  slotFor(grader: Grader, answer: AnswerRow): LabelStage {
    if (grader.role === 'coordinator') {
      if (!answer.calibration) throw new Conflict('coordinators label the calibration set only; create a physician grader for yourself to grade the main queue', 403);
      return 'reference';
    }
    const slot = this.sql('SELECT reserved_at, submitted_at FROM slots WHERE answer_id = ? AND grader_id = ?').get(answer.id, grader.id);
    if (slot) return 'grade';
    if (answer.calibration && !grader.admitted_at) return 'grade';
    throw new Conflict('this answer is not reserved for you (your reservation lapsed and another grader took the slot); open the next answer from the queue');
  }

  /** Whether this grader has submitted their labels for this answer. */
  hasSubmitted(answerId: number, graderId: number): boolean {
    return !!this.sql('SELECT 1 FROM slots WHERE answer_id = ? AND grader_id = ? AND submitted_at IS NOT NULL').get(answerId, graderId);
  }

  /** The latest label of each entry by this grader on this answer, at this stage. */
  currentLabels(answerId: number, graderId: number, stage: LabelStage): LabelRow[] {
    return this.sql(
        `SELECT * FROM labels l WHERE l.answer_id = ? AND l.grader_id = ? AND l.stage = ?
         AND NOT EXISTS (SELECT 1 FROM labels n WHERE n.replaces = l.id) ORDER BY l.id`,
      )
      .all(answerId, graderId, stage) as LabelRow[];
  }

  /** Every label still in force (not replaced), optionally of one answer. */
  liveLabels(answerId?: number): LabelRow[] {
    const where = answerId === undefined ? '' : 'AND l.answer_id = ?';
    return this.sql(`SELECT * FROM labels l WHERE NOT EXISTS (SELECT 1 FROM labels n WHERE n.replaces = l.id) ${where} ORDER BY l.id`)
      .all(...(answerId === undefined ? [] : [answerId])) as LabelRow[];
  }

  /**
   * Stores one grader's labels for one answer in one transaction. `base` is the newest label
   * id the grader's page had seen for this answer (0 for none): if the grader saved from
   * another page since, the save is refused rather than overwriting silently.
   */
  submit(grader: Grader, answer: AnswerRow, stage: LabelStage, labels: LabelInput[], base: number, bankHash: string): LabelRow[] {
    return this.db.transaction(() => {
      const current = this.currentLabels(answer.id, grader.id, stage);
      const newest = current.reduce((m, l) => Math.max(m, l.id), 0);
      if (newest !== base) throw new Conflict('this page is out of date: your labels for this answer were saved from another page since it opened; reload to see them');
      if (stage === 'grade') {
        const slot = this.sql('SELECT 1 FROM slots WHERE answer_id = ? AND grader_id = ?').get(answer.id, grader.id);
        if (!slot) {
          const taken = (this.sql('SELECT count(*) AS n FROM slots WHERE answer_id = ? AND submitted_at IS NOT NULL').get(answer.id) as { n: number }).n;
          if (!answer.calibration && taken >= this.settings().graders_per_answer) {
            throw new Conflict('this answer already has all its graders (your reservation lapsed); nothing was saved; open the next answer');
          }
          this.reserve(grader.id, answer.id);
        }
      }
      const byEntry = new Map(current.map((l) => [l.entry, l]));
      const written: LabelRow[] = [];
      const at = now();
      const insert = this.sql(
        `INSERT INTO labels (answer_id, grader_id, entry, stage, met, reason, quote, span_start, span_end, bank_hash, at, replaces)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const label of labels) {
        const previous = byEntry.get(label.entry);
        const met = label.met === null ? null : label.met ? 1 : 0;
        const same =
          previous &&
          previous.met === met &&
          (previous.reason ?? null) === (label.reason ?? null) &&
          previous.span_start === (label.span?.start ?? null) &&
          previous.span_end === (label.span?.end ?? null);
        if (same) continue;
        const { lastInsertRowid } = insert.run(answer.id, grader.id, label.entry, stage, met, label.reason ?? null, label.span?.quote ?? null, label.span?.start ?? null, label.span?.end ?? null, bankHash, at, previous?.id ?? null);
        const row = this.sql('SELECT * FROM labels WHERE id = ?').get(lastInsertRowid) as LabelRow;
        this.audit(grader.id, previous ? 'change label' : 'label', `answer:${answer.key} entry:${label.entry} stage:${stage}`, previous ? labelValue(previous) : null, labelValue(row), label.reason);
        written.push(row);
      }
      if (stage === 'grade') this.sql('UPDATE slots SET submitted_at = ? WHERE answer_id = ? AND grader_id = ?').run(at, answer.id, grader.id);
      return written;
    }).immediate();
  }

  /** A senior's final verdict on one entry of one answer; it supersedes any earlier adjudication of that entry. */
  adjudicate(senior: Grader, answer: AnswerRow, label: LabelInput & { reason: string }, bankHash: string): LabelRow {
    if (senior.role !== 'senior' && senior.role !== 'coordinator') throw new Conflict('only a senior grader adjudicates', 403);
    if (!label.reason.trim()) throw new Conflict('an adjudication needs its reason', 422);
    return this.db.transaction(() => {
      const previous = this.sql(
          `SELECT * FROM labels l WHERE l.answer_id = ? AND l.entry = ? AND l.stage = 'adjudication'
           AND NOT EXISTS (SELECT 1 FROM labels n WHERE n.replaces = l.id)`,
        )
        .get(answer.id, label.entry) as LabelRow | undefined;
      const met = label.met === null ? null : label.met ? 1 : 0;
      const { lastInsertRowid } = this.sql(
          `INSERT INTO labels (answer_id, grader_id, entry, stage, met, reason, quote, span_start, span_end, bank_hash, at, replaces)
           VALUES (?, ?, ?, 'adjudication', ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(answer.id, senior.id, label.entry, met, label.reason, label.span?.quote ?? null, label.span?.start ?? null, label.span?.end ?? null, bankHash, now(), previous?.id ?? null);
      const row = this.sql('SELECT * FROM labels WHERE id = ?').get(lastInsertRowid) as LabelRow;
      this.audit(senior.id, 'adjudicate', `answer:${answer.key} entry:${label.entry}`, previous ? labelValue(previous) : null, labelValue(row), label.reason);
      return row;
    }).immediate();
  }

  unsyncedLabels(): LabelRow[] {
    return this.sql('SELECT * FROM labels WHERE synced = 0 ORDER BY id').all() as LabelRow[];
  }

  markSynced(ids: number[]): void {
    const mark = this.sql('UPDATE labels SET synced = 1 WHERE id = ?');
    this.db.transaction(() => ids.forEach((id) => mark.run(id)))();
  }

  comment(grader: Grader, answer: AnswerRow, entry: string | null, text: string): void {
    if (!text.trim()) throw new Conflict('an empty comment', 422);
    this.db.transaction(() => {
      this.sql('INSERT INTO comments (answer_id, grader_id, entry, text, at) VALUES (?, ?, ?, ?, ?)').run(answer.id, grader.id, entry, text.trim(), now());
      this.audit(grader.id, 'comment', `answer:${answer.key}${entry ? ` entry:${entry}` : ''}`, null, text.trim());
    }).immediate();
  }

  /** Comments across the study, newest first: every grader's, or one grader's own (a physician sees only theirs, so grading stays blind). */
  allComments(filter: { graderId?: number; limit: number; offset: number }): { id: number; answer: number; item: string; variant: string; turn: number; entry: string | null; grader: string; text: string; at: string }[] {
    return this.sql(
        `SELECT c.id, c.answer_id AS answer, a.item, a.variant, a.turn, c.entry, g.name AS grader, c.text, c.at
         FROM comments c JOIN graders g ON g.id = c.grader_id JOIN answers a ON a.id = c.answer_id
         WHERE (? IS NULL OR c.grader_id = ?) ORDER BY c.id DESC LIMIT ? OFFSET ?`,
      )
      .all(filter.graderId ?? null, filter.graderId ?? null, filter.limit, filter.offset) as ReturnType<Store['allComments']>;
  }

  comments(answerId: number): { grader: string; entry: string | null; text: string; at: string }[] {
    return this.sql('SELECT g.name AS grader, c.entry, c.text, c.at FROM comments c JOIN graders g ON g.id = c.grader_id WHERE c.answer_id = ? ORDER BY c.id')
      .all(answerId) as { grader: string; entry: string | null; text: string; at: string }[];
  }

  /** Per grader: slots submitted and still reserved, in the main queue and the calibration set. */
  progress(): { grader_id: number; submitted: number; reserved: number; calibration: number }[] {
    return this.sql(
        `SELECT s.grader_id,
           sum(CASE WHEN s.submitted_at IS NOT NULL AND a.calibration = 0 THEN 1 ELSE 0 END) AS submitted,
           sum(CASE WHEN s.submitted_at IS NULL THEN 1 ELSE 0 END) AS reserved,
           sum(CASE WHEN s.submitted_at IS NOT NULL AND a.calibration = 1 THEN 1 ELSE 0 END) AS calibration
         FROM slots s JOIN answers a ON a.id = s.answer_id GROUP BY s.grader_id`,
      )
      .all() as { grader_id: number; submitted: number; reserved: number; calibration: number }[];
  }

  counts(): { answers: number; calibration: number; slotsNeeded: number; slotsDone: number } {
    const { answers, calibration } = this.sql('SELECT count(*) AS answers, coalesce(sum(calibration), 0) AS calibration FROM answers').get() as { answers: number; calibration: number };
    const done = (this.sql("SELECT count(*) AS n FROM slots s JOIN answers a ON a.id = s.answer_id WHERE a.calibration = 0 AND s.submitted_at IS NOT NULL").get() as { n: number }).n;
    return { answers, calibration, slotsNeeded: (answers - calibration) * this.settings().graders_per_answer, slotsDone: done };
  }

  auditLog(limit = 200): { at: string; grader: string | null; action: string; target: string; previous: string | null; value: string | null; reason: string | null }[] {
    return this.sql('SELECT a.at, g.name AS grader, a.action, a.target, a.previous, a.value, a.reason FROM audit a LEFT JOIN graders g ON g.id = a.grader_id ORDER BY a.id DESC LIMIT ?')
      .all(limit) as ReturnType<Store['auditLog']>;
  }

  audit(graderId: number | null, action: string, target: string, previous: unknown, value: unknown, reason?: string): void {
    this.sql('INSERT INTO audit (at, grader_id, action, target, previous, value, reason) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(now(), graderId, action, target, previous === null || previous === undefined ? null : JSON.stringify(previous), value === null || value === undefined ? null : JSON.stringify(value), reason ?? null);
  }
}

function labelValue(l: LabelRow): Record<string, unknown> {
  return { id: l.id, met: l.met === null ? null : l.met === 1, reason: l.reason, span: l.span_start === null ? null : [l.span_start, l.span_end], bank_hash: l.bank_hash };
}
