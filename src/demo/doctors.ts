/**
 * Simulated doctors for the offline demo. Their answers are composed like the simulated
 * vendors' (from the rubric's own examples) with a clinician's skill profile, then written as
 * the CSV a real answer sheet would be and imported with `importAnswers`, so the demo walks
 * the same path real doctors' answers take.
 */
import { writeFileSync } from 'node:fs';
import type { Bank } from '../bank/bank.js';
import { createAnswerPersona, PersonaSpec, type PersonaSpecInput } from '../endpoints/sim/personas.js';
import { seedFrom } from '../endpoints/sim/random.js';
import { createRandom } from '../analysis/random.js';
import { itemQuestion } from '../scorer/question.js';
import { csvTable } from '../report/csv.js';

/**
 * Two profiles from the method's findings: a senior specialist who holds up on hard,
 * individualised decisions, and a resident who knows the basics but not the hard cases.
 */
export const DEMO_DOCTOR_SPECS: PersonaSpecInput[] = [
  {
    name: 'dr-thoracic-oncologist',
    description: 'senior thoracic oncologist: steady across depth, best on individualised decisions',
    skill: { '1': 0.8, '2': 0.84, '3': 0.86, '4': 0.86 },
    error_rate: 0.05,
  },
  {
    name: 'dr-resident',
    description: 'second-year resident: solid recall, weaker on complex decisions',
    skill: { '1': 0.86, '2': 0.72, '3': 0.55, '4': 0.35 },
    error_rate: 0.25,
  },
];

/** Writes one doctor's answers to every clean item as a CSV answer sheet (item,variant,turn,text). */
export async function writeDoctorAnswerSheet(bank: Bank, spec: PersonaSpecInput, path: string): Promise<number> {
  const doctor = createAnswerPersona(PersonaSpec.parse(spec), bank);
  const rows: string[][] = [];
  for (const item of bank.items) {
    const messages = itemQuestion(bank, item);
    const reply = await doctor.reply({ model: doctor.name, messages }, createRandom(seedFrom(`${doctor.name}/${item.id}`)));
    if (reply.content) rows.push([item.id, 'clean', '0', reply.content]);
  }
  writeFileSync(path, csvTable(['item', 'variant', 'turn', 'text'], rows));
  return rows.length;
}
