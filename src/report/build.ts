/** Writes the report files for one Results object: HTML, Markdown, CSV and JSON. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ItemView, Results } from '../schema/results.js';
import { UserError } from '../errors.js';
import type { HtmlFrame, ReportLanguage } from './html/page.js';
import { inThisThread, type HtmlFrameRenderer } from './html/frame-renderer.js';
import { drilldownStart, itemBlocks } from './html/sections/drilldown.js';
import { SECTION_END } from './html/markup.js';
import { renderMarkdown } from './markdown.js';
import { appendTo } from '../group.js';
import { answersCsvLines, verdictsCsvLines } from './csv.js';
import { resultsJsonChunks } from './results-json.js';
import { writeChunksAtomic, type FileChunk } from './stream-file.js';
import { redactDeep } from '../io/redact.js';
import { REPORT_FORMATS, type ReportFormat } from './formats.js';

export { REPORT_FORMATS, REPORT_FILES, parseFormats, type ReportFormat } from './formats.js';

export interface BuildReportInput {
  results: Results;
  outDir: string;
  formats: ReportFormat[];
  /** Language the HTML report opens in (the reader can switch; default: the bank's). */
  language?: ReportLanguage;
  /** Where the HTML's frame (its charts) is drawn: an HtmlFrameWorker, or (default) this thread. */
  frames?: HtmlFrameRenderer;
  /**
   * The results' items, when `results` comes with them left empty (see AnalysisRest): made once
   * the frame is asked for, which needs of them only `distractedItems`, so it is drawn meanwhile.
   * `results.items` must then be empty (an error otherwise: they would be replaced).
   */
  itemsLater?: { items: () => ItemView[]; distractedItems: ReadonlyMap<string, number> };
}


/**
 * Everything but the answers, and each item without its answers: the answers are typed
 * output of `analyze` (and `Results.parse` when read from disk), and checking all of them
 * again would cost more than writing the report; the rest catches a malformed object cheaply.
 */
const ItemsOutline = z.array(ItemView.omit({ answers: true }).extend({ answers: z.array(z.unknown()) }));
const ResultsOutline = Results.extend({ items: ItemsOutline });
/** Items made later (see `itemsLater`), checked as `items` of the results, so that issues are named where they are. */
const ItemsLaterOutline = z.object({ items: ItemsOutline });

function checkOutline(results: Pick<Results, 'items'>, schema: z.ZodType = ResultsOutline): void {
  const parsed = schema.safeParse(results);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new UserError(`the results object is not valid, so no report was written: ${issues.join('; ')}`);
  }
}

/** report.html: the frame, and between its halves the drill-down section with every item's blocks. */
function* htmlChunks(frame: HtmlFrame, results: Results, blocks: string[] | null): Generator<string> {
  yield frame.before;
  yield drilldownStart(results);
  for (let i = 0; i < results.items.length; i++) {
    const block = blocks?.[i] ?? itemBlocks(results.items[i]);
    yield i === 0 ? block : `\n${block}`;
  }
  yield SECTION_END;
  yield frame.after;
}

export async function buildReport(input: BuildReportInput): Promise<{ files: string[] }> {
  if (input.itemsLater && input.results.items.length > 0) throw new Error('buildReport: results given with itemsLater must come with their items left empty');
  // Secrets go before rendering: the HTML keeps item data compressed, where no later step could see them.
  const outline = redactDeep(input.results);
  const formats = input.formats.length > 0 ? input.formats : [...REPORT_FORMATS];
  const frames = input.frames ?? inThisThread;
  const html = formats.includes('html');
  // Checked before the frame is asked for, so that results that fail draw nothing; items made later are checked once made.
  checkOutline(outline);
  // The frame is drawn (on the worker, when there is one) while this thread makes the items and writes the other formats; HTML goes last.
  // Items that fail their check write nothing.
  const frame = html ? frames.render(outline, input.language, input.itemsLater?.distractedItems) : null;
  frame?.catch(() => undefined);
  const results = input.itemsLater ? { ...outline, items: redactDeep(input.itemsLater.items()) } : outline;
  if (input.itemsLater) checkOutline(results, ItemsLaterOutline);
  mkdirSync(input.outDir, { recursive: true });
  // results.json and the drill-down hold each item as the same JSON text: made and encoded once, when both are written
  // (compressed, the blocks are about an eighth of that text, so all of them are kept for report.html).
  let blocks: string[] | null = null;
  const written = new Map<ReportFormat, string[]>();
  const write = async (format: ReportFormat, name: string, chunks: Iterable<FileChunk>) => {
    const path = join(input.outDir, name);
    await writeChunksAtomic(path, chunks);
    appendTo(written, format, path);
  };
  for (const format of [...formats.filter((f) => f !== 'html'), ...(html ? ['html' as const] : [])]) {
    switch (format) {
      case 'html':
        await write('html', 'report.html', htmlChunks(await frame!, results, blocks));
        break;
      case 'md':
        await write('md', 'summary.md', [renderMarkdown(results)]);
        break;
      case 'csv':
        await write('csv', 'answers.csv', answersCsvLines(results));
        await write('csv', 'verdicts.csv', verdictsCsvLines(results));
        break;
      case 'json': {
        const made: string[] = [];
        await write('json', 'results.json', resultsJsonChunks(results, undefined, html ? (item, json) => made.push(itemBlocks(item, json)) : undefined));
        if (made.length === results.items.length) blocks = made;
        break;
      }
    }
  }
  return { files: formats.flatMap((f) => written.get(f) ?? []) };
}
