/** Writes the report files for one Results object: HTML, Markdown, CSV and JSON. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ItemView, Results } from '../schema/results.js';
import { UserError } from '../errors.js';
import { renderHtml, type ReportLanguage } from './html/page.js';
import { renderMarkdown } from './markdown.js';
import { answersCsvLines, verdictsCsvLines } from './csv.js';
import { resultsJsonChunks } from './results-json.js';
import { writeChunksAtomic } from './stream-file.js';
import { redactDeep } from '../io/redact.js';
import { REPORT_FILES, REPORT_FORMATS, type ReportFormat } from './formats.js';

export { REPORT_FORMATS, REPORT_FILES, parseFormats, type ReportFormat } from './formats.js';

export interface BuildReportInput {
  results: Results;
  outDir: string;
  formats: ReportFormat[];
  /** Language the HTML report opens in (the reader can switch; default: the bank's). */
  language?: ReportLanguage;
}


/**
 * Everything but the answers, and each item without its answers: the answers are typed
 * output of `analyze` (and `Results.parse` when read from disk), and checking all of them
 * again would cost more than writing the report; the rest catches a malformed object cheaply.
 */
const ResultsOutline = Results.extend({ items: z.array(ItemView.omit({ answers: true }).extend({ answers: z.array(z.unknown()) })) });

function checkOutline(results: Results): void {
  const parsed = ResultsOutline.safeParse(results);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new UserError(`the results object is not valid, so no report was written: ${issues.join('; ')}`);
  }
}

export async function buildReport(input: BuildReportInput): Promise<{ files: string[] }> {
  // Secrets go before rendering: the HTML keeps item data compressed, where no later step could see them.
  const results = redactDeep(input.results);
  checkOutline(results);
  const formats = input.formats.length > 0 ? input.formats : [...REPORT_FORMATS];
  mkdirSync(input.outDir, { recursive: true });
  const files: string[] = [];
  const write = async (name: string, chunks: Iterable<string>) => {
    const path = join(input.outDir, name);
    await writeChunksAtomic(path, chunks);
    files.push(path);
  };
  for (const format of formats) {
    switch (format) {
      case 'html':
        await write('report.html', [renderHtml(results, { language: input.language })]);
        break;
      case 'md':
        await write('summary.md', [renderMarkdown(results)]);
        break;
      case 'csv':
        await write('answers.csv', answersCsvLines(results));
        await write('verdicts.csv', verdictsCsvLines(results));
        break;
      case 'json':
        await write('results.json', resultsJsonChunks(results));
        break;
    }
  }
  return { files };
}
