/** Imported banks written as YAML a clinician can read and edit, headed by where they came from. */
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { BankFileInput, ItemInput } from '../schema/bank.js';

export const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

export function bankYaml(bank: BankFileInput, header: string): string {
  const comment = header
    .split('\n')
    .map((line) => `# ${line}`.trimEnd())
    .join('\n');
  return `${comment}\n${stringify(bank, YAML_OPTIONS)}`;
}

/** Writes the whole bank at once (atomic rename, so a failed import never leaves half a file). */
export function writeBankYaml(path: string, bank: BankFileInput, header: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, bankYaml(bank, header));
  renameSync(temp, path);
}

/** One item as the YAML of an entry of the `items:` list, for banks written item by item. */
export function itemYaml(item: ItemInput): string {
  return stringify([item], YAML_OPTIONS).replace(/^/gm, '  ').replace(/\s+$/, '\n');
}
