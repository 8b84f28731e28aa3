/**
 * The OpenAI Batch API of the simulated endpoint: `POST /v1/files` (multipart upload, purpose
 * batch), `GET /v1/files/{id}` and `/content`, `POST /v1/batches`, `GET /v1/batches/{id}`,
 * `POST /v1/batches/{id}/cancel`. Each request line is answered as the chat route would answer
 * it; successes go to the output file and failures to the error file, in OpenAI's line format.
 * Files live in memory: the server is for tests and demos.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBytes, sendError, sendJson } from './server.js';

export interface BatchServiceOptions {
  /** Answers one request body of a batch line. */
  complete(body: Record<string, unknown>): Promise<{ status: number; body: unknown }>;
  /** How long a batch stays in progress before its output is written. */
  delayMs: number;
}

interface StoredFile {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: 'processed';
  content: Buffer;
}

type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

interface Batch {
  id: string;
  object: 'batch';
  endpoint: string;
  errors: { object: 'list'; data: { code: string; message: string; line: number | null }[] } | null;
  input_file_id: string;
  completion_window: string;
  status: BatchStatus;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
}

const now = () => Math.floor(Date.now() / 1000);

export function createBatchService(options: BatchServiceOptions) {
  const files = new Map<string, StoredFile>();
  const batches = new Map<string, Batch>();
  let next = 0;
  const newId = (prefix: string) => `${prefix}-sim-${(++next).toString(36).padStart(6, '0')}`;

  function storeFile(filename: string, purpose: string, content: Buffer): StoredFile {
    const file: StoredFile = { id: newId('file'), object: 'file', bytes: content.length, created_at: now(), filename, purpose, status: 'processed', content };
    files.set(file.id, file);
    return file;
  }

  const fileInfo = ({ content: _c, ...info }: StoredFile) => info;

  async function process(batch: Batch, lines: { custom_id: string; body: Record<string, unknown> }[]): Promise<void> {
    batch.status = 'in_progress';
    batch.in_progress_at = now();
    if (options.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const output: string[] = [];
    const errors: string[] = [];
    for (const [n, line] of lines.entries()) {
      if ((batch.status as BatchStatus) === 'cancelling') break;
      // A persona that fails answers that line with a server error, as the chat route does.
      const answer = await options.complete(line.body).catch((err: unknown) => ({ status: 500, body: { error: { message: `simulated endpoint failed: ${(err as Error).message}`, type: 'server_error' } } }));
      const entry = JSON.stringify({ id: `batch_req_${batch.id}_${n}`, custom_id: line.custom_id, response: { status_code: answer.status, request_id: `req_${n}`, body: answer.body }, error: null });
      (answer.status === 200 ? output : errors).push(entry);
      batch.request_counts[answer.status === 200 ? 'completed' : 'failed']++;
    }
    const write = (kind: string, entries: string[]) => (entries.length > 0 ? storeFile(`${batch.id}_${kind}.jsonl`, 'batch_output', Buffer.from(entries.join('\n') + '\n')).id : null);
    batch.output_file_id = write('output', output);
    batch.error_file_id = write('error', errors);
    if ((batch.status as BatchStatus) === 'cancelling') {
      batch.status = 'cancelled';
      batch.cancelled_at = now();
    } else {
      batch.status = 'completed';
      batch.completed_at = now();
    }
  }

  function createBatch(request: Record<string, unknown>, res: ServerResponse): void {
    const input = files.get(String(request.input_file_id));
    if (!input) return sendError(res, 404, `No such File object: ${String(request.input_file_id)}`, 'invalid_request_error');
    const endpoint = String(request.endpoint ?? '');
    if (endpoint !== '/v1/chat/completions') return sendError(res, 400, `endpoint must be /v1/chat/completions, not "${endpoint}"`, 'invalid_request_error');
    const batch: Batch = {
      id: newId('batch'),
      object: 'batch',
      endpoint,
      errors: null,
      input_file_id: input.id,
      completion_window: String(request.completion_window ?? '24h'),
      status: 'validating',
      output_file_id: null,
      error_file_id: null,
      created_at: now(),
      in_progress_at: null,
      completed_at: null,
      failed_at: null,
      cancelled_at: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      metadata: (request.metadata as Record<string, string> | undefined) ?? null,
    };
    batches.set(batch.id, batch);
    const problems: NonNullable<Batch['errors']>['data'] = [];
    const lines: { custom_id: string; body: Record<string, unknown> }[] = [];
    const seen = new Set<string>();
    for (const [n, text] of input.content.toString('utf8').split('\n').entries()) {
      if (text.trim() === '') continue;
      let line: { custom_id?: unknown; method?: unknown; url?: unknown; body?: unknown };
      try {
        line = JSON.parse(text);
      } catch {
        problems.push({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', line: n + 1 });
        continue;
      }
      if (typeof line.custom_id !== 'string' || seen.has(line.custom_id)) problems.push({ code: 'duplicate_custom_id', message: 'custom_id must be a unique string.', line: n + 1 });
      else if (line.method !== 'POST' || line.url !== endpoint || !line.body || typeof line.body !== 'object') problems.push({ code: 'invalid_request', message: `each line needs method POST, url ${endpoint} and a body`, line: n + 1 });
      else {
        seen.add(line.custom_id);
        lines.push({ custom_id: line.custom_id, body: line.body as Record<string, unknown> });
      }
    }
    if (problems.length > 0 || lines.length === 0) {
      batch.status = 'failed';
      batch.failed_at = now();
      batch.errors = { object: 'list', data: problems.length > 0 ? problems : [{ code: 'empty_file', message: 'The input file has no requests.', line: null }] };
    } else {
      batch.request_counts.total = lines.length;
      void process(batch, lines);
    }
    sendJson(res, 200, batch);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split('/').filter(Boolean); // v1, files|batches, id?, action?
    const [, kind, id, action] = parts;
    if (kind === 'files' && req.method === 'POST' && !id) {
      const form = await new Response(await readBytes(req), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData().catch(() => null);
      const file = form?.get('file');
      if (!form || !file || typeof file === 'string') return sendError(res, 400, 'upload a multipart form with a file field', 'invalid_request_error');
      return sendJson(res, 200, fileInfo(storeFile(file.name, String(form.get('purpose') ?? ''), Buffer.from(await file.arrayBuffer()))));
    }
    if (kind === 'files' && req.method === 'GET' && id) {
      const file = files.get(id);
      if (!file) return sendError(res, 404, `No such File object: ${id}`, 'invalid_request_error');
      if (action === 'content') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.content.length });
        return void res.end(file.content);
      }
      return sendJson(res, 200, fileInfo(file));
    }
    if (kind === 'batches' && req.method === 'POST' && !id) {
      let request: Record<string, unknown>;
      try {
        request = JSON.parse((await readBytes(req)).toString('utf8'));
      } catch {
        return sendError(res, 400, 'the request body is not valid JSON', 'invalid_request_error');
      }
      return createBatch(request, res);
    }
    const batch = id ? batches.get(id) : undefined;
    if (kind === 'batches' && id && !batch) return sendError(res, 404, `No such Batch object: ${id}`, 'invalid_request_error');
    if (batch && req.method === 'GET' && !action) return sendJson(res, 200, batch);
    if (batch && req.method === 'POST' && action === 'cancel') {
      if (batch.status === 'validating' || batch.status === 'in_progress') batch.status = 'cancelling';
      return sendJson(res, 200, batch);
    }
    return sendError(res, 404, `no route ${req.method} ${url.pathname}`, 'invalid_request_error');
  }

  return { handle, created: () => batches.size };
}
