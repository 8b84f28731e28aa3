#!/usr/bin/env node
import { holdYoungGeneration } from './heap.js';

// Before the CLI's modules load: held only for scoring on threads, released for everything else (see heap.ts).
holdYoungGeneration();
const { main } = await import('./main.js');

// Internal errors' stack traces name the source files, also from the bundle.
if (process.env.CAPS_DEBUG) process.setSourceMapsEnabled(true);

// A reader that stops early (`caps report --help | head`) closes the pipe: what is
// left to print is dropped, as with any Unix tool, while the command itself finishes
// its work (a run keeps recording its answers).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
