/**
 * Doctors vs models: human respondents are scored on the same rubric and sit in the same
 * tables; this summary puts the best doctor, the mean of the doctors and each model side
 * by side, overall and per depth level.
 */
import type { DepthCurve, HumansVsModels, LeaderboardRow } from '../schema/results.js';
import { mean } from './stats.js';

export function humansVsModels(rows: readonly LeaderboardRow[], curves: readonly DepthCurve[], levels: readonly number[]): HumansVsModels {
  const humans = rows.filter((r) => r.kind === 'human');
  const models = rows.filter((r) => r.kind === 'model');
  const rated = humans.filter((h) => h.score.mean !== null);
  // Rows are in rank order, so the first human with a score is the best one.
  const best = rated[0]?.respondent ?? null;
  const curveOf = new Map(curves.map((c) => [c.respondent, c]));
  const levelMean = (name: string, level: number) => curveOf.get(name)?.levels.find((l) => l.level === level)?.score.mean ?? null;
  const overallMean = (name: string) => rows.find((r) => r.respondent === name)?.score.mean ?? null;
  const row = (level: number | null, value: (name: string) => number | null) => {
    const humanValues = humans.map((h) => value(h.respondent)).filter((v): v is number => v !== null);
    return {
      level,
      best_human: best === null ? null : value(best),
      humans_mean: mean(humanValues),
      models: Object.fromEntries(models.map((m) => [m.respondent, value(m.respondent)])),
    };
  };
  return {
    available: humans.length > 0 && models.length > 0,
    humans: humans.map((h) => h.respondent),
    models: models.map((m) => m.respondent),
    best_human: best,
    rows: [row(null, overallMean), ...levels.map((level) => row(level, (name) => levelMean(name, level)))],
  };
}
