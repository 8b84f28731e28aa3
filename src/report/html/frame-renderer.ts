/**
 * Where the HTML report's frame (its sections and ~40 charts) is drawn: on a worker thread,
 * so that the main thread writes the drill-down and the other formats meanwhile, or in this
 * thread. The worker is started before the results exist, so it loads the chart library while
 * the run folder is read. It is sent the results without their items: copying 30,000 answers
 * to it would cost more than drawing the charts (the one figure the frame takes from the
 * answers, distractedItems, is sent along).
 */
import { Worker } from 'node:worker_threads';
import type { Results } from '../../schema/results.js';
import { UserError } from '../../errors.js';
import { workerEntry } from '../../io/worker-entry.js';
import { distractedItems } from './distracted-items.js';
import type { HtmlFrame, ReportLanguage } from './page.js';

export interface FrameRequest {
  results: Results;
  language: ReportLanguage | undefined;
  distractedItems: Map<string, number>;
}

export type FrameReply = { frame: HtmlFrame } | { error: string };

export interface HtmlFrameRenderer {
  render(results: Results, language?: ReportLanguage): Promise<HtmlFrame>;
  /** Stops the worker, if any, whether or not it has drawn (idempotent): its creator's one clean-up. */
  close(): Promise<void>;
}

/** Draws in this thread; the chart library is loaded on first use. */
export const inThisThread: HtmlFrameRenderer = {
  async render(results, language) {
    const { renderHtmlFrame } = await import('./page.js');
    return renderHtmlFrame(results, { language });
  },
  async close() {},
};

const failure = (why: string) => new UserError(`drawing the HTML report failed on its worker thread (${why}); report.html was not written.`, 2);

/** One frame drawn on a worker thread started now; the worker ends by itself once it has answered. */
export class HtmlFrameWorker implements HtmlFrameRenderer {
  private readonly worker: Worker;
  private readonly reply: Promise<HtmlFrame>;
  private sent = false;

  constructor(options: { heapMb?: number } = {}) {
    const entry = workerEntry(import.meta.url, 'frame-worker');
    this.worker = new Worker(entry.code, { eval: entry.evaluated, ...(options.heapMb && { resourceLimits: { maxOldGenerationSizeMb: options.heapMb } }) });
    this.reply = new Promise<HtmlFrame>((resolve, reject) => {
      this.worker.once('message', (reply: FrameReply) => ('frame' in reply ? resolve(reply.frame) : reject(failure(reply.error))));
      this.worker.once('error', (err: Error & { code?: string }) => reject(failure(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `it ran out of memory${options.heapMb ? ` (its heap is ${options.heapMb} MB)` : ''}` : err.message)));
      this.worker.once('exit', (code) => reject(failure(`it stopped with exit code ${code} before answering`)));
    });
    // Failures are reported by render(); one that happens before it is called is not unhandled.
    this.reply.catch(() => undefined);
    // Until render() is called an idle worker does not keep the process alive.
    this.worker.unref();
  }

  async render(results: Results, language?: ReportLanguage): Promise<HtmlFrame> {
    if (this.sent) throw new Error('an HtmlFrameWorker draws one frame');
    this.sent = true;
    const request: FrameRequest = { results: { ...results, items: [] }, language, distractedItems: distractedItems(results) };
    this.worker.ref();
    this.worker.postMessage(request);
    return this.reply;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
