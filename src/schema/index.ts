export * from './bank.js';
export * from './run.js';
export * from './score.js';
export * from './results.js';
