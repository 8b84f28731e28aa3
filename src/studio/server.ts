/**
 * `caps studio` as a library: opens the database, reads the bank and runs, and serves the
 * app (Hono on node:http) on 127.0.0.1 unless told otherwise. The page, its script and
 * its style are the files `npm run build` writes to dist/studio/web, held in memory.
 * The page names its script and style by content hash, so a browser keeps them and
 * reopens the page without asking for them again; the page itself carries the signed-in
 * grader, so the script needs no request before the one for what it shows; a grading
 * address (/grade/N) also carries its answer, so reopening it needs no request at all.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Hono, type Context } from 'hono';
import { serve } from '@hono/node-server';
import { ZodError } from 'zod';
import { PACKAGE_ROOT } from '../version.js';
import { UserError } from '../errors.js';
import { RunFolder } from '../io/run-folder.js';
import { openDb, dbError } from './db.js';
import { Corpus } from './corpus.js';
import { Conflict, Store, type Grader } from './store.js';
import { authenticate, csrfGuard, hostGuard, refusal, securityHeaders, startSession, type StudioEnv } from './access.js';
import type { StudioContext } from './context.js';
import { syncVerdicts } from './verdicts.js';
import { gradingRoutes, gradingView } from './routes/grading.js';
import { coordinatorRoutes } from './routes/coordinator.js';
import { reviewRoutes } from './routes/review.js';
import { respondRoutes } from './routes/respond.js';
import { authoringRoutes } from './routes/authoring.js';
import { roundsRoutes } from './routes/rounds.js';
import { commentRoutes } from './routes/comments.js';

export const WEB_DIR = join(PACKAGE_ROOT, 'dist', 'studio', 'web');
export const LOCAL_COORDINATOR = 'coordinator';

export interface StudioOptions {
  runDirs: string[];
  bankPaths?: string[];
  /** Default: studio.db beside the first run folder (or in the current folder). */
  db?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Where doctors' answers typed in the studio go (default: studio-answers beside the database). */
  answersRun?: string;
  /** Config with the endpoints that may draft items (the Items page's draft button). */
  config?: string;
}

export interface Studio {
  url: string;
  dbFile: string;
  context: StudioContext;
  close(): Promise<void>;
}

export function defaultDbFile(runDirs: string[]): string {
  return resolve(runDirs[0] ? dirname(resolve(runDirs[0])) : '.', 'studio.db');
}

/** Run folders as given, where a folder that is not a run but holds runs (caps-demo/runs) stands for them all. */
export function expandRunDirs(dirs: string[]): string[] {
  return dirs.flatMap((dir) => {
    if (new RunFolder(dir).exists() || !existsSync(dir) || !statSync(dir).isDirectory()) return [resolve(dir)];
    const runs = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && new RunFolder(join(dir, d.name)).exists())
      .map((d) => resolve(dir, d.name))
      .sort();
    return runs.length > 0 ? runs : [resolve(dir)];
  });
}

/** Opens the database and files and registers the runs' answers; also used by `caps labels export` and `caps demo`. */
export async function openStudioContext(options: Pick<StudioOptions, 'runDirs' | 'bankPaths' | 'db' | 'answersRun' | 'config'>): Promise<StudioContext & { dbFile: string }> {
  const given = expandRunDirs(options.runDirs);
  const dbFile = resolve(options.db ?? defaultDbFile(given));
  const db = openDb(dbFile);
  try {
    const store = new Store(db);
    const known = store.runDirs().filter((d) => existsSync(d));
    const runDirs = [...new Set([...given, ...known])];
    if (runDirs.length === 0 && !options.bankPaths) throw new UserError('caps studio: give the run folders to grade (caps studio RUN_DIR...), or --bank DIR to answer items.');
    const corpus = await Corpus.load({ bankPaths: options.bankPaths, runDirs });
    for (const dir of corpus.runs.keys()) store.registerRun(dir, corpus.bank, corpus.answersOf(dir));
    const context: StudioContext = {
      store,
      corpus,
      answersRun: resolve(options.answersRun ?? join(dirname(dbFile), 'studio-answers')),
      ...(options.config ? { config: resolve(options.config) } : {}),
    };
    // Labels committed just before a crash reach their run folders now.
    syncVerdicts(store);
    return { ...context, dbFile };
  } catch (err) {
    db.close();
    throw dbError(err, dbFile);
  }
}

function localCoordinator(store: Store): Grader {
  return store.graders().find((g) => g.role === 'coordinator') ?? store.createGrader(null, LOCAL_COORDINATOR, 'coordinator').grader;
}

function webFile(name: string): string {
  const path = join(WEB_DIR, name);
  if (!existsSync(path)) throw new UserError(`${path}: the studio's web files are not built; run npm run build.`);
  return readFileSync(path, 'utf8');
}

/** A static file of the page: kept for good when asked for by its content hash, checked again otherwise. */
function asset(body: string, type: string): { url: string; serve: (c: Context) => Response } {
  const version = createHash('sha256').update(body).digest('hex').slice(0, 16);
  return {
    url: `?v=${version}`,
    serve: (c) => c.body(body, 200, { 'content-type': type, 'cache-control': c.req.query('v') === version ? 'public, max-age=31536000, immutable' : 'no-cache' }),
  };
}

export function studioApp(ctx: StudioContext, host: string, port: () => number): Hono<StudioEnv> {
  const { store } = ctx;
  const script = asset(webFile('app.js'), 'text/javascript; charset=utf-8');
  const style = asset(webFile('app.css'), 'text/css; charset=utf-8');
  const page = webFile('index.html').replace('/assets/app.js', `/assets/app.js${script.url}`).replace('/assets/app.css', `/assets/app.css${style.url}`);
  const me = (c: Context<StudioEnv>) => {
    const grader = store.grader(c.get('grader').id)!;
    return { grader, csrf: c.get('csrf'), bank: { id: ctx.corpus.bank.id, version: ctx.corpus.bank.version, hash: ctx.corpus.bank.hash }, settings: store.settings(), calibration: store.calibrationAnswers().length };
  };
  const app = new Hono<StudioEnv>();
  app.onError((err, c) => {
    if (err instanceof Conflict) return refusal(c, err.status, err.message);
    if (err instanceof ZodError) return refusal(c, 422, `bad request: ${err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if (err instanceof UserError) return refusal(c, 409, err.message);
    const known = dbError(err, 'studio database');
    if (known instanceof UserError) return refusal(c, 409, `${known.message} Nothing was saved; try again.`);
    process.stderr.write(`caps studio: internal error on ${c.req.method} ${c.req.path}: ${(err as Error).message}\n`);
    return c.json({ error: 'internal error; nothing was saved' }, 500);
  });
  app.use('*', securityHeaders());
  app.use('*', hostGuard(host, port));

  app.get('/invite/:token', (c) => {
    const grader = store.graderByToken(c.req.param('token'));
    if (!grader) return refusal(c, 401, 'This invite link is not valid (it may have been replaced by a newer one); ask your study coordinator for a new link.');
    startSession(c, store, grader);
    return c.redirect('/', 303);
  });
  app.get('/assets/app.js', script.serve);
  app.get('/assets/app.css', style.serve);

  app.use('*', authenticate(store, host, () => localCoordinator(store)));
  app.use('*', csrfGuard());
  // The session (with its CSRF token) rides in a JSON data block, which no policy lets run; never cached.
  // A grading address (/grade/N) carries its answer the same way: the page shows it without asking again.
  const [head, tail] = page.split('<script type="application/json" id="me"></script>');
  const dataBlock = (id: string, data: unknown) => `<script type="application/json" id="${id}">${JSON.stringify(data).replaceAll('<', '\\u003c')}</script>`;
  const servePage = async (c: Context<StudioEnv>, answer?: string) => {
    const started = performance.now();
    let shown = '';
    if (answer !== undefined) {
      try {
        shown = dataBlock('answer-data', await gradingView(ctx, c.get('grader'), answer));
      } catch (err) {
        // The page asks for the answer itself and says why it cannot be shown (not reserved, no such answer).
        if (!(err instanceof Conflict)) throw err;
      }
    }
    const html = head + dataBlock('me', me(c)) + shown + tail;
    return c.html(html, 200, { 'cache-control': 'no-store', 'server-timing': `page;dur=${(performance.now() - started).toFixed(2)}` });
  };
  app.get('/', (c) => servePage(c));
  app.get('/grade/:id', (c) => servePage(c, c.req.param('id')));
  app.get('/api/me', (c) => c.json(me(c)));
  app.route('/api', gradingRoutes(ctx));
  app.route('/api/review', reviewRoutes(ctx));
  app.route('/api/coordinator', coordinatorRoutes(ctx));
  app.route('/api', respondRoutes(ctx));
  app.route('/api/bank', authoringRoutes(ctx));
  app.route('/api/rounds', roundsRoutes(ctx));
  app.route('/api/comments', commentRoutes(ctx));
  app.notFound((c) => refusal(c, 404, 'No such page.'));
  return app;
}

export async function startStudio(options: StudioOptions): Promise<Studio> {
  const host = options.host ?? '127.0.0.1';
  const context = await openStudioContext(options);
  let port = options.port ?? 0;
  const app = studioApp(context, host, () => port);
  const server = serve({ fetch: app.fetch, hostname: host, port });
  await new Promise<void>((ok, fail) => {
    server.once('listening', ok);
    server.once('error', (err: NodeJS.ErrnoException) => {
      context.store.db.close();
      fail(new UserError(err.code === 'EADDRINUSE' ? `port ${port} on ${host} is in use; pass another --port (or 0 for any free port).` : `cannot listen on ${host}:${port} (${err.code ?? err.message}).`));
    });
  });
  port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    dbFile: context.dbFile,
    context,
    close: () =>
      new Promise<void>((ok) => {
        (server as import('node:http').Server).closeAllConnections?.();
        server.close(() => {
          context.store.db.close();
          ok();
        });
      }),
  };
}

