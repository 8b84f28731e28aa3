/** caps-eval as a library: `import { loadBank, runEval, scoreRun, buildReport } from 'caps-eval'`. */
export * from './schema/index.js';
export { UserError, RunIncompleteError } from './errors.js';
export { HARNESS_VERSION } from './version.js';
