/** A runner process for the kill -9 test: asks a 2,000-item bank of the endpoint given on the command line. */
import { runEval } from '../../src/runner/run.js';
import { CapsConfig } from '../../src/schema/config.js';
import { bankOf, simpleItem } from '../endpoints/bank-fixture.js';

const [baseURL, out, cacheDir] = process.argv.slice(2);
export const KILL_TEST_ITEMS = 2000;
const bank = bankOf({ bank: 'kill-test', version: 1, language: 'en', items: Array.from({ length: KILL_TEST_ITEMS }, (_, i) => simpleItem(`q${i}`)) });
const config = CapsConfig.parse({ endpoints: [{ name: 'echo-vendor', baseURL, model: 'echo', concurrency: 32, retries: 2 }] });
const summary = await runEval({ bank, config, out, cacheDir });
process.stdout.write(JSON.stringify(summary.counts) + '\n');
process.exitCode = summary.status === 'complete' ? 0 : 2;
