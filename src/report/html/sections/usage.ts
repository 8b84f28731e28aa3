/** Tokens and cost per endpoint and per judge, from the usage recorded with each answer and judge call. */
import type { Results, UsageRow } from '../../../schema/results.js';
import { formatCost } from '../../../runner/usage.js';
import { section, table, type Html } from '../markup.js';

export function usageSection(results: Results): Html | '' {
  const usage = results.usage;
  if (!usage || usage.endpoints.length + usage.judges.length === 0) return '';
  const rows = [...usage.endpoints.map((r) => ({ role: 'endpoint', ...r })), ...usage.judges.map((r) => ({ role: 'judge', ...r }))];
  return section(
    'usage',
    'Tokens and cost',
    'Tokens as each server reported them; where a server reported none they are estimated from the text (0.6 token per Chinese character, 0.3 per other character) and counted in the "estimated" column. Cost uses the prices in the config at run or scoring time.',
    table<(typeof rows)[number]>(rows, [
      { header: 'role', cell: (r) => r.role },
      { header: 'name', cell: (r) => r.name },
      { header: 'calls', cell: (r) => r.calls, numeric: true },
      { header: 'input tokens', cell: (r) => r.prompt_tokens, numeric: true },
      { header: 'output tokens', cell: (r) => r.completion_tokens, numeric: true },
      { header: 'estimated', cell: (r) => r.estimated_calls, numeric: true, title: 'calls whose usage the server did not report' },
      { header: 'cost', cell: (r) => costText(r), numeric: true },
    ]),
  );
}

export function costText(row: Pick<UsageRow, 'cost'>): string {
  return row.cost ? formatCost(row.cost) : 'no prices';
}
