/** The personas `caps sim` and the demo serve: answer personas (demo or from a file) plus the simulated judge. */
import type { Bank } from '../../bank/bank.js';
import { createJudgePersona } from './judge-persona.js';
import { demoPersonas, loadPersonas } from './personas.js';
import type { SimPersona } from './server.js';

export function simPersonas(bank: Bank, options: { personasFile?: string } = {}): SimPersona[] {
  const answerers = options.personasFile ? loadPersonas(options.personasFile, bank) : demoPersonas(bank);
  return [...answerers, createJudgePersona({ items: bank.items })];
}
