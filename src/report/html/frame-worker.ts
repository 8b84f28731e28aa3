/**
 * The HTML report's frame-drawing thread: loads the chart library when started, caches the
 * bank and fits the depth curves when asked, then draws the one frame it is sent (see
 * HtmlFrameWorker) and returns it, or the error that stopped it. Its listener gone after the
 * frame, nothing keeps the thread alive: it ends once that reply is sent.
 */
import { parentPort } from 'node:worker_threads';
import { depthCurve } from '../../analysis/depth.js';
import { bankCacheDir } from '../../bank/cache.js';
import { loadBankOrThrow } from '../../bank/load.js';
import { renderHtmlFrame } from './page.js';
import type { FrameReply, FrameRequest } from './frame-renderer.js';

async function answer(request: FrameRequest): Promise<FrameReply> {
  if ('bankPaths' in request) {
    const cacheDir = bankCacheDir();
    // Errors in the bank are reported by the main thread's own load.
    return { cached: cacheDir !== null && (await loadBankOrThrow(request.bankPaths, cacheDir).then(() => true, () => false)) };
  }
  try {
    if ('depthJobs' in request) return { curves: request.depthJobs.map(depthCurve) };
    return { frame: renderHtmlFrame(request.results, { language: request.language, distractedItems: request.distractedItems }) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Requests are answered one at a time, in order (loading the bank waits on the file system). */
let previous: Promise<void> = Promise.resolve();
const listener = (request: FrameRequest) => {
  if (!('depthJobs' in request) && !('bankPaths' in request)) parentPort!.off('message', listener);
  previous = previous.then(async () => parentPort!.postMessage(await answer(request)));
};
parentPort!.on('message', listener);
