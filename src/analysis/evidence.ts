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
  // counts[respondent] : "scheme\0level" -> [met, decided]
  const counts = table.respondents.map(() => new Map<string, [number, number]>());
  const add = (r: number, key: string, met: boolean) => {
    const c = counts[r].get(key) ?? [0, 0];
    if (met) c[0]++;
    c[1]++;
    counts[r].set(key, c);
  };
  for (const score of table.scores) {
    if (score.variant !== 'clean' || score.turn !== 0 || score.status === 'error') continue;
    const r = index.get(score.respondent)!;
    for (const verdict of score.verdicts) {
      if (verdict.kind !== 'point' || !verdict.evidence || verdict.met === null) continue;
      const { scheme, level } = verdict.evidence;
      add(r, `${scheme}\u0000${level}`, verdict.met);
      add(r, `${scheme}\u0000${ALL}`, verdict.met);
      add(r, `${ALL}\u0000${ALL}`, verdict.met);
    }
  }
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
