/**
 * The per-item drill-down: an index of every item, and each item's prompt, rubric and answers
 * as a gzipped base64 block that the page's script decodes when the item is opened.
 */
import { gzipSync } from 'node:zlib';
import type { ItemQuality, ItemView, Results } from '../../../schema/results.js';
import { anchorId, escapeHtml } from '../../escape.js';
import { num } from '../../format.js';
import { raw, section, type Html } from '../markup.js';

/** base64 of gzipped JSON: base64 has no character that could end the script element. */
export function encodeItemBlock(item: ItemView | string): string {
  return gzipSync(Buffer.from(JSON.stringify(item), 'utf8'), { level: 1 }).toString('base64');
}

/**
 * Answers longer than this travel in the item's block only as their beginning; the whole text
 * has a block of its own, decoded when the reader asks for more. Opening an item with a
 * runaway multi-megabyte answer then costs what opening any other item costs.
 */
export const ANSWER_HEAD_CHARS = 20_000;

/** The item's block (long answers cut, with `text_length` and `full_text`) and the blocks of the whole long answers. */
function itemBlocks(item: ItemView): string {
  const fullTexts: string[] = [];
  const answers = item.answers.map((answer, index) => {
    if (answer.text === null || answer.text.length <= ANSWER_HEAD_CHARS) return answer;
    const id = `${item.id}#${index}`;
    fullTexts.push(`<script type="application/octet-stream" data-answer-text="${escapeHtml(id)}">${encodeItemBlock(answer.text)}</script>`);
    return { ...answer, text: answer.text.slice(0, ANSWER_HEAD_CHARS), text_length: answer.text.length, full_text: id };
  });
  return [`<script type="application/octet-stream" data-item="${escapeHtml(item.id)}">${encodeItemBlock({ ...item, answers })}</script>`, ...fullTexts].join('\n');
}

function indexRow(item: ItemView, quality: ItemQuality | undefined): string {
  const respondents = new Set(item.answers.map((a) => a.respondent)).size;
  const vetoed = item.answers.filter((a) => a.vetoed_by.length > 0).length;
  const cells = [
    `<td><a href="#${escapeHtml(anchorId('item', item.id))}" class="item-link" data-item="${escapeHtml(item.id)}">${escapeHtml(item.id)}</a></td>`,
    `<td>${escapeHtml(item.topic)}</td>`,
    `<td class="num">${item.depth}</td>`,
    `<td class="num">${item.variants.length}</td>`,
    `<td class="num">${respondents}</td>`,
    `<td class="num">${item.answers.length}</td>`,
    `<td class="num">${escapeHtml(num(quality?.difficulty))}</td>`,
    `<td class="num">${vetoed}</td>`,
    `<td>${escapeHtml(quality?.flags.join(', ') ?? '')}</td>`,
  ];
  return `<tr id="${escapeHtml(anchorId('item', item.id))}" data-item="${escapeHtml(item.id)}" data-depth="${item.depth}">${cells.join('')}</tr>`;
}

export function drilldownSection(results: Results): Html {
  const quality = new Map(results.item_quality.map((q) => [q.item, q]));
  const rows = results.items.map((item) => indexRow(item, quality.get(item.id))).join('\n');
  const blocks = results.items.map(itemBlocks).join('\n');
  return section(
    'drilldown',
    'Item drill-down',
    'Open an item to read its question, rubric and every answer. Scoring points found are highlighted in green, deductions, zero rules and vetoes in orange, ' +
      'with the list of verdicts (✓ point met, ✗ error present, · not present, ? undecided), who decided each and the quoted sentence. Answers are shown exactly as given.',
    raw(
      `<label class="filter">Find an item <input id="item-filter" type="search" placeholder="id, topic or flag" autocomplete="off"></label> <span id="item-index-filter" class="meta" aria-live="polite"></span>` +
        `<div class="table-wrap index-wrap"><table id="item-index"><thead><tr><th scope="col">Item</th><th scope="col">Topic</th><th scope="col" class="num">Depth</th>` +
        `<th scope="col" class="num">Variants</th><th scope="col" class="num">Respondents</th><th scope="col" class="num">Answers</th><th scope="col" class="num">Difficulty</th>` +
        `<th scope="col" class="num">Vetoed</th><th scope="col">Flags</th></tr></thead><tbody>${rows}</tbody></table></div>` +
        `<div id="drilldown-panel" class="panel" lang="${results.bank.language === 'zh' ? 'zh-Hans' : 'en'}" hidden aria-live="polite"></div>\n${blocks}`,
    ),
  );
}
