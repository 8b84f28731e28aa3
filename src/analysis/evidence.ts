/**
 * Evidence axis (证据等级): how many of the evidence-tagged scoring points each respondent's
 * clean answers meet, by scheme and level, with the scheme totals and an overall total.
 */
import type { EvidenceCell } from '../schema/results.js';
import type { ScoreTable } from './score-table.js';
import { wilson } from './stats.js';

const ALL = 'all';

export function evidenceCoverage(table: ScoreTable): { cells: EvidenceCell[]; overall: (number | null)[] } {
  const index = new Map(table.respondents.map((r, i) => [r.name, i]));
  // tallies[respondent]: scheme -> level -> [met, decided]; nested, so that no key is made per verdict.
  const tallies = table.respondents.map(() => new Map<string, Map<string, [number, number]>>());
  for (const score of table.scores) {
    if (score.variant !== 'clean' || score.turn !== 0 || score.status === 'error') continue;
    const schemes = tallies[index.get(score.respondent)!];
    for (const verdict of score.verdicts) {
      if (verdict.kind !== 'point' || !verdict.evidence || verdict.met === null) continue;
      const { scheme, level } = verdict.evidence;
      let levels = schemes.get(scheme);
      if (!levels) schemes.set(scheme, (levels = new Map()));
      const c = levels.get(level);
      if (c) {
        if (verdict.met) c[0]++;
        c[1]++;
      } else levels.set(level, [verdict.met ? 1 : 0, 1]);
    }
  }
  // counts[respondent]: "scheme\0level" -> [met, decided], with each scheme's total (level "all") and the total of all.
  const counts = tallies.map((schemes) => {
    const flat = new Map<string, [number, number]>();
    const add = (key: string, [met, decided]: [number, number]) => {
      const c = flat.get(key) ?? [0, 0];
      c[0] += met;
      c[1] += decided;
      flat.set(key, c);
    };
    for (const [scheme, levels] of schemes) {
      for (const [level, c] of levels) {
        add(`${scheme}\u0000${level}`, c);
        add(`${scheme}\u0000${ALL}`, c);
        add(`${ALL}\u0000${ALL}`, c);
      }
    }
    return flat;
  });
  const cells: EvidenceCell[] = [];
  const overall: (number | null)[] = [];
  table.respondents.forEach((respondent, r) => {
    const keys = [...counts[r].keys()].sort();
    for (const key of keys) {
      const [scheme, level] = key.split('\u0000');
      const [met, decided] = counts[r].get(key)!;
      cells.push({
        respondent: respondent.name,
        respondent_kind: respondent.kind,
        scheme: scheme as EvidenceCell['scheme'],
        level,
        coverage: wilson(met, decided, table.settings.confidence),
      });
    }
    const total = counts[r].get(`${ALL}\u0000${ALL}`);
    overall.push(total ? total[0] / total[1] : null);
  });
  return { cells, overall };
}
