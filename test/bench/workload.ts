/** A synthetic bank and config for runner benchmarks: N one-point items asked of one endpoint. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Bank } from '../../src/bank/bank.js';
import type { BankFileInput } from '../../src/schema/bank.js';
import { CapsConfig } from '../../src/schema/config.js';
import { bankOf, simpleItem } from '../endpoints/bank-fixture.js';

function benchBankFile(items: number): BankFileInput {
  return { bank: `bench-${items}`, version: 1, language: 'en', items: Array.from({ length: items }, (_, i) => simpleItem(`q${i}`)) };
}

export function benchBank(items: number): Bank {
  return bankOf(benchBankFile(items));
}

function benchConfigInput(baseURL: string, concurrency: number) {
  return {
    endpoints: [{ name: 'bench', baseURL, model: 'echo', concurrency, retries: 0, timeout_ms: 60_000 }],
    defaults: { concurrency },
  };
}

export function benchConfig(baseURL: string, concurrency: number): CapsConfig {
  return CapsConfig.parse(benchConfigInput(baseURL, concurrency));
}

/** The same bank and config as files, for benchmarks that run the `caps` command itself. */
export function writeBenchFiles(dir: string, baseURL: string, items: number, concurrency: number): { bank: string; config: string } {
  const bank = join(dir, 'bench.yaml');
  const config = join(dir, 'caps.config.yaml');
  writeFileSync(bank, stringify(benchBankFile(items)));
  writeFileSync(config, stringify(benchConfigInput(baseURL, concurrency)));
  return { bank, config };
}
