/**
 * Seeded uniform random numbers for the bootstraps (mulberry32). The state lives in an
 * Int32Array so that updating it never allocates (a captured 32-bit integer would be boxed
 * on every call), which keeps resampling loops of tens of millions of draws fast. The stream
 * is the same for a given seed on every platform.
 */
export function createRandom(seed: number): () => number {
  const state = Int32Array.of(seed | 0);
  return () => {
    const s = (state[0] = (state[0] + 0x6d2b79f5) | 0);
    let z = Math.imul(s ^ (s >>> 15), s | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}
