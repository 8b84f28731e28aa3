/** A synthetic bank and config for runner benchmarks: N one-point items asked of one endpoint. */
import type { Bank } from '../../src/bank/bank.js';
import { CapsConfig } from '../../src/schema/config.js';
import { bankOf, simpleItem } from '../endpoints/bank-fixture.js';

export function benchBank(items: number): Bank {
  return bankOf({ bank: `bench-${items}`, version: 1, language: 'en', items: Array.from({ length: items }, (_, i) => simpleItem(`q${i}`)) });
}

export function benchConfig(baseURL: string, concurrency: number): CapsConfig {
  return CapsConfig.parse({
    endpoints: [{ name: 'bench', baseURL, model: 'echo', concurrency, retries: 0, timeout_ms: 60_000 }],
    defaults: { concurrency },
  });
}
