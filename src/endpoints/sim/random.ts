/** Seeds for the simulated endpoint, so simulated answers and faults are reproducible (random numbers: analysis/random.ts). */
import { createHash } from 'node:crypto';

/** A 32-bit seed from any text (e.g. a request body and the server seed). */
export function seedFrom(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

export function pick<T>(items: readonly T[], rng: () => number): T {
  return items[Math.floor(rng() * items.length)];
}
