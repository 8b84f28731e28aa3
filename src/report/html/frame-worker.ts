/**
 * The HTML report's frame-drawing thread: loads the chart library when started, then draws
 * the one frame it is sent (see HtmlFrameWorker) and returns it, or the error that stopped it.
 * Its one listener gone, nothing keeps the thread alive: it ends once the reply is sent.
 */
import { parentPort } from 'node:worker_threads';
import { renderHtmlFrame } from './page.js';
import type { FrameReply, FrameRequest } from './frame-renderer.js';

parentPort!.once('message', (request: FrameRequest) => {
  let reply: FrameReply;
  try {
    reply = { frame: renderHtmlFrame(request.results, { language: request.language, distractedItems: request.distractedItems }) };
  } catch (err) {
    reply = { error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
});
