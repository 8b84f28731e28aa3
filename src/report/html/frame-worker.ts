/**
 * The HTML report's frame-drawing thread: loads the chart library when started, fits the depth
 * curves when asked, then draws the one frame it is sent (see HtmlFrameWorker) and returns it,
 * or the error that stopped it. Its listener gone after the frame, nothing keeps the thread
 * alive: it ends once that reply is sent.
 */
import { parentPort } from 'node:worker_threads';
import { depthCurve } from '../../analysis/depth.js';
import { renderHtmlFrame } from './page.js';
import type { FrameReply, FrameRequest } from './frame-renderer.js';

function answer(request: FrameRequest): FrameReply {
  try {
    if ('depthJobs' in request) return { curves: request.depthJobs.map(depthCurve) };
    return { frame: renderHtmlFrame(request.results, { language: request.language, distractedItems: request.distractedItems }) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

const listener = (request: FrameRequest) => {
  if (!('depthJobs' in request)) parentPort!.off('message', listener);
  parentPort!.postMessage(answer(request));
};
parentPort!.on('message', listener);
