/** Bank coverage: topic x depth counts of items and variants, against the topic taxonomy when there is one. */
import type { Bank } from '../bank/bank.js';
import type { Coverage } from '../schema/results.js';

export function bankCoverage(bank: Bank): Coverage {
  const cells = new Map<string, { topic: string; depth: number; items: number; variants: number }>();
  for (const item of bank.items) {
    const key = `${item.topic}\u0000${item.depth}`;
    const cell = cells.get(key) ?? { topic: item.topic, depth: item.depth, items: 0, variants: 0 };
    cell.items++;
    cell.variants += item.variants.length;
    cells.set(key, cell);
  }
  const used = new Set(bank.items.map((item) => item.topic));
  const taxonomy = bank.taxonomy?.topics ?? [];
  const inTaxonomy = new Set(taxonomy.map((t) => t.id));
  const topics = [
    ...taxonomy.map((t) => ({ id: t.id, title: t.title, ...(t.title_en ? { title_en: t.title_en } : {}), in_taxonomy: true })),
    ...[...used].filter((id) => !inTaxonomy.has(id)).sort().map((id) => ({ id, in_taxonomy: false })),
  ];
  const uncovered = taxonomy.filter((t) => !used.has(t.id)).map((t) => t.id);
  return {
    topics,
    levels: [...new Set(bank.items.map((item) => item.depth))].sort((a, b) => a - b),
    cells: [...cells.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.depth - b.depth)),
    uncovered_topics: uncovered,
    taxonomy_share_covered: taxonomy.length > 0 ? (taxonomy.length - uncovered.length) / taxonomy.length : null,
  };
}
