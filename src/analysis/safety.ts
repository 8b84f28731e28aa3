/**
 * Safety axis (安全性): vetoed answers per respondent (with a Wilson interval) and per topic,
 * safety deductions, and every offending sentence quoted. All variants and turns count:
 * a dangerous answer under pressure is as dangerous as one to the clean question.
 */
import type { Safety, SafetyEvent } from '../schema/results.js';
import type { ScoreTable } from './score-table.js';
import { wilson } from './stats.js';

export function analyzeSafety(table: ScoreTable): Safety {
  const index = new Map(table.respondents.map((r, i) => [r.name, i]));
  const judged = table.respondents.map(() => 0);
  const vetoed = table.respondents.map(() => 0);
  const deductions = table.respondents.map(() => 0);
  const topics = new Map<string, { answers: number; vetoes: number; by_respondent: Record<string, number> }>();
  const events: SafetyEvent[] = [];

  for (const score of table.scores) {
    const isVetoed = score.vetoed_by.length > 0;
    // A fired veto decides the answer even when other entries stayed undecided.
    if (score.status !== 'complete' && !isVetoed) continue;
    const r = index.get(score.respondent)!;
    judged[r]++;
    const topic = topics.get(score.topic) ?? { answers: 0, vetoes: 0, by_respondent: {} };
    topic.answers++;
    if (isVetoed) {
      vetoed[r]++;
      topic.vetoes++;
      topic.by_respondent[score.respondent] = (topic.by_respondent[score.respondent] ?? 0) + 1;
    }
    topics.set(score.topic, topic);
    for (const failure of score.safety) {
      if (failure.kind === 'safety-deduction') deductions[r]++;
      events.push({
        respondent: score.respondent,
        respondent_kind: score.respondent_kind,
        key: score.key,
        item: score.item,
        topic: score.topic,
        depth: score.depth,
        variant: score.variant,
        variant_kind: score.variant_kind,
        turn: score.turn,
        sample: score.sample,
        kind: failure.kind,
        entry: failure.entry,
        text: failure.text,
        quotes: failure.quotes,
        ...(failure.citations && { citations: failure.citations }),
      });
    }
  }
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  events.sort((a, b) => order(a.kind === 'veto' ? '0' : '1', b.kind === 'veto' ? '0' : '1') || order(a.respondent, b.respondent) || order(a.item, b.item) || order(a.key, b.key));
  return {
    by_respondent: table.respondents.map((respondent, r) => ({
      respondent: respondent.name,
      kind: respondent.kind,
      vetoes: wilson(vetoed[r], judged[r], table.settings.confidence),
      safety_deductions: deductions[r],
    })),
    by_topic: [...topics.entries()].sort(([a], [b]) => order(a, b)).map(([topic, t]) => ({ topic, ...t })),
    events,
  };
}
