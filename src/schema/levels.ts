/** GAPS levels and their scores, without zod: the studio's pages use them too. */

/** GAPS adequacy levels: how essential a point is. */
export const ADEQUACY_SCORES = { A1: 5, A2: 3, A3: 1 } as const;
/** GAPS severity levels of an error. */
export const SEVERITY_SCORES = { S1: -1, S2: -2, S3: -3, S4: -4 } as const;
