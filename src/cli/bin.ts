#!/usr/bin/env node
import { main } from './main.js';

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
