/** The personas `caps sim` and the demo serve: answer personas (demo or from a file), the simulated judge and the drafting model. */
import type { Bank } from '../../bank/bank.js';
import { createDraftPersona } from './draft-persona.js';
import { createJudgePersona } from './judge-persona.js';
import { demoPersonas, loadPersonas } from './personas.js';
import type { SimPersona } from './server.js';

export function simPersonas(bank: Bank, options: { personasFile?: string } = {}): SimPersona[] {
  const answerers = options.personasFile ? loadPersonas(options.personasFile, bank) : demoPersonas(bank);
  return [
    ...answerers,
    createJudgePersona({ items: bank.items }),
    // A judge that quotes phrases cut out of the clause rejecting them: shows quote checking at work.
    createJudgePersona({ name: 'sim-judge-careless', items: bank.items, cutQuotes: true }),
    createDraftPersona(),
    createDraftPersona({ name: 'sim-drafter-flaky', fault: 'flaky' }),
    createDraftPersona({ name: 'sim-drafter-nonsense', fault: 'nonsense' }),
  ];
}
