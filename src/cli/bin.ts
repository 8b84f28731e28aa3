#!/usr/bin/env node
import { main } from './main.js';

// Internal errors' stack traces name the source files, also from the bundle.
if (process.env.CAPS_DEBUG) process.setSourceMapsEnabled(true);

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
