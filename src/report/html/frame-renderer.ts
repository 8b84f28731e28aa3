/**
 * Where the HTML report's frame (its sections and ~40 charts) is drawn: on a worker thread,
 * so that the main thread writes the drill-down and the other formats meanwhile, or in this
 * thread. The worker is started before the results exist, so it loads the chart library while
 * the run folder is read; meanwhile it also loads the bank into the bank cache (where the
 * main thread then finds it), and once the analysis starts it fits the depth curves while the
 * main thread does the rest. It is sent the results without their items:
 * copying 30,000 answers to it would cost more than drawing the charts (the one figure the
 * frame takes from the answers, distractedItems, is sent along).
 */
import { Worker } from 'node:worker_threads';
import type { DepthCurve, Results } from '../../schema/results.js';
import { depthCurve, type DepthJob } from '../../analysis/depth.js';
import { UserError } from '../../errors.js';
import { workerEntry } from '../../io/worker-entry.js';
import { resultsDistractedItems } from '../../analysis/distracted-items.js';
import type { HtmlFrame, ReportLanguage } from './page.js';

export type FrameRequest = { bankPaths: string[] } | { depthJobs: DepthJob[] } | { results: Results; language: ReportLanguage | undefined; distractedItems: Map<string, number> };

export type FrameReply = { cached: boolean } | { curves: DepthCurve[] } | { frame: HtmlFrame } | { error: string };

export interface HtmlFrameRenderer {
  /** Loads the bank into the bank cache (see loadBankOrThrow); whether it is there now. A bank with errors is left to the caller to report. */
  cacheBank(paths: string[]): Promise<boolean>;
  /** The analysis's depth curves (see analysisSteps), computed before the frame is asked for. */
  depthCurves(jobs: DepthJob[]): Promise<DepthCurve[]>;
  /** `distracted`: distractedItems of the results' answers, when `results` comes without its items. */
  render(results: Results, language?: ReportLanguage, distracted?: ReadonlyMap<string, number>): Promise<HtmlFrame>;
  /** Stops the worker, if any, whether or not it has drawn (idempotent): its creator's one clean-up. */
  close(): Promise<void>;
}

/** Draws in this thread; the chart library is loaded on first use. */
export const inThisThread: HtmlFrameRenderer = {
  // In this thread it would only be loaded twice.
  async cacheBank() {
    return false;
  },
  async depthCurves(jobs) {
    return jobs.map(depthCurve);
  },
  async render(results, language, distracted) {
    const { renderHtmlFrame } = await import('./page.js');
    return renderHtmlFrame(results, { language, distractedItems: distracted });
  },
  async close() {},
};

const failure = (why: string) => new UserError(`drawing the HTML report failed on its worker thread (${why}); report.html was not written.`, 2);

/** The worker's replies in the order it was asked: the bank cached and the depth curves (when asked), then one frame; the worker ends by itself once it has sent the frame. */
export class HtmlFrameWorker implements HtmlFrameRenderer {
  private readonly worker: Worker;
  private readonly waiting: { resolve: (reply: FrameReply) => void; reject: (error: Error) => void }[] = [];
  private failed: Error | null = null;
  private sent = false;

  constructor(options: { heapMb?: number } = {}) {
    const entry = workerEntry(import.meta.url, 'frame-worker');
    this.worker = new Worker(entry.code, { eval: entry.evaluated, ...(options.heapMb && { resourceLimits: { maxOldGenerationSizeMb: options.heapMb } }) });
    this.worker.on('message', (reply: FrameReply) => this.waiting.shift()?.resolve(reply));
    const fail = (error: Error) => {
      this.failed ??= error;
      for (const request of this.waiting.splice(0)) request.reject(this.failed);
    };
    this.worker.once('error', (err: Error & { code?: string }) => fail(failure(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `it ran out of memory${options.heapMb ? ` (its heap is ${options.heapMb} MB)` : ''}` : err.message)));
    this.worker.once('exit', (code) => fail(failure(`it stopped with exit code ${code} before answering`)));
    // Until it is asked something an idle worker does not keep the process alive.
    this.worker.unref();
  }

  private ask(request: FrameRequest): Promise<FrameReply> {
    if (this.failed) return Promise.reject(this.failed);
    this.worker.ref();
    this.worker.postMessage(request);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async cacheBank(paths: string[]): Promise<boolean> {
    const reply = await this.ask({ bankPaths: paths });
    return 'cached' in reply && reply.cached;
  }

  async depthCurves(jobs: DepthJob[]): Promise<DepthCurve[]> {
    if (this.sent) throw new Error('an HtmlFrameWorker fits depth curves only before it draws');
    const reply = await this.ask({ depthJobs: jobs });
    if ('curves' in reply) return reply.curves;
    throw failure('error' in reply ? reply.error : 'it did not answer with depth curves');
  }

  async render(results: Results, language?: ReportLanguage, distracted?: ReadonlyMap<string, number>): Promise<HtmlFrame> {
    if (this.sent) throw new Error('an HtmlFrameWorker draws one frame');
    this.sent = true;
    const reply = await this.ask({ results: { ...results, items: [] }, language, distractedItems: new Map(distracted ?? resultsDistractedItems(results)) });
    if ('frame' in reply) return reply.frame;
    throw failure('error' in reply ? reply.error : 'it did not answer with a frame');
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
