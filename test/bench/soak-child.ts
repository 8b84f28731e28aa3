/** A runner process for the fault-soak benchmark: asks N items of the endpoint given on the command line. */
import { runEval } from '../../src/runner/run.js';
import { CapsConfig } from '../../src/schema/config.js';
import { bankOf, simpleItem } from '../endpoints/bank-fixture.js';

const [baseURL, out, cacheDir, items] = process.argv.slice(2);
const bank = bankOf({ bank: 'soak', version: 1, language: 'en', items: Array.from({ length: Number(items) }, (_, i) => simpleItem(`q${i}`)) });
const config = CapsConfig.parse({ endpoints: [{ name: 'soak-vendor', baseURL, model: 'echo', concurrency: 32, retries: 10, timeout_ms: 1_000 }] });
const summary = await runEval({ bank, config, out, cacheDir, clientOptions: { backoffBaseMs: 50 } });
process.stdout.write(JSON.stringify(summary.counts) + '\n');
process.exitCode = summary.status === 'complete' ? 0 : 2;
