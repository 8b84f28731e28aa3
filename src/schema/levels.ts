/** GAPS levels and their scores, without zod: the studio's pages use them too. */

/** GAPS adequacy levels: how essential a point is. */
export const ADEQUACY_SCORES = { A1: 5, A2: 3, A3: 1 } as const;
/** GAPS severity levels of an error. */
export const SEVERITY_SCORES = { S1: -1, S2: -2, S3: -3, S4: -4 } as const;
/** Points of a point's adequacy level: A1=5, A2=3, A3=1, any other level 0. */
export const adequacyScore = (level: string): number => ADEQUACY_SCORES[level as keyof typeof ADEQUACY_SCORES] ?? 0;
/** Points of a deduction's severity level: S1..S4 = -1..-4, any other level 0. */
export const severityScore = (level: string): number => SEVERITY_SCORES[level as keyof typeof SEVERITY_SCORES] ?? 0;
