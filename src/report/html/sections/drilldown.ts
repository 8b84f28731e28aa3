/**
 * The per-item drill-down: an index of every item, and each item's prompt, rubric and answers
 * as a gzipped base64 block that the page's script decodes when the item is opened.
 */
import { gzipSync } from 'node:zlib';
import type { ItemQuality, ItemView, Results } from '../../../schema/results.js';
import { anchorId, escapeHtml } from '../../escape.js';
import { num } from '../../format.js';
import { raw, SECTION_END, sectionStart, type Html } from '../markup.js';
import type { EncodedText } from '../../stream-file.js';

const GZIP = { level: 1 };

/**
 * Answers longer than this travel in the item's block only as their beginning; the whole text
 * has a block of its own, decoded when the reader asks for more. Opening an item with a
 * runaway multi-megabyte answer then costs what opening any other item costs.
 */
export const ANSWER_HEAD_CHARS = 20_000;

/** What an item's blocks hold, as JSON text (or its UTF-8 bytes): the item (long answers cut, with `text_length` and `full_text`) and each long answer's whole text. */
interface BlockContents {
  item: string | Buffer;
  texts: { id: string; json: string }[];
}

/** `itemJson`, when given, is JSON.stringify(item) already made and encoded (for results.json): reused when no answer is cut. */
function blockContents(item: ItemView, itemJson?: EncodedText): BlockContents {
  const texts: BlockContents['texts'] = [];
  const answers = item.answers.map((answer, index) => {
    if (answer.text === null || answer.text.length <= ANSWER_HEAD_CHARS) return answer;
    const id = `${item.id}#${index}`;
    texts.push({ id, json: JSON.stringify(answer.text) });
    return { ...answer, text: answer.text.slice(0, ANSWER_HEAD_CHARS), text_length: answer.text.length, full_text: id };
  });
  // Spreading keeps the keys' order, so with nothing cut this is the text of JSON.stringify(item).
  return { item: texts.length === 0 ? (itemJson?.bytes ?? JSON.stringify(item)) : JSON.stringify({ ...item, answers }), texts };
}

/** The blocks' markup: base64 of gzipped JSON (base64 has no character that could end the script element). */
function blockMarkup(itemId: string, item: Buffer, texts: { id: string; gzipped: Buffer }[]): string {
  return [
    `<script type="application/octet-stream" data-item="${escapeHtml(itemId)}">${item.toString('base64')}</script>`,
    ...texts.map((t) => `<script type="application/octet-stream" data-answer-text="${escapeHtml(t.id)}">${t.gzipped.toString('base64')}</script>`),
  ].join('\n');
}

/**
 * The item's script blocks. Compressed in this thread: zlib's asynchronous API costs this thread
 * as much per block (a stream set up and torn down) as compressing a block of this size does.
 * `itemJson`, when given, is JSON.stringify(item) already made and encoded (for results.json).
 */
export function itemBlocks(item: ItemView, itemJson?: EncodedText): string {
  const contents = blockContents(item, itemJson);
  const zip = (json: string | Buffer) => gzipSync(typeof json === 'string' ? Buffer.from(json, 'utf8') : json, GZIP);
  return blockMarkup(item.id, zip(contents.item), contents.texts.map((t) => ({ id: t.id, gzipped: zip(t.json) })));
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

/** The drill-down section up to its item blocks: heading, the index of every item, the panel; each item's blocks follow, one per line, then SECTION_END. */
export function drilldownStart(results: Results): string {
  const quality = new Map(results.item_quality.map((q) => [q.item, q]));
  const rows = results.items.map((item) => indexRow(item, quality.get(item.id))).join('\n');
  return (
    sectionStart(
      'drilldown',
      'Item drill-down',
      'Open an item to read its question, rubric and every answer. Scoring points found are highlighted in green, deductions, zero rules and vetoes in orange, ' +
        'with the list of verdicts (✓ point met, ✗ error present, · not present, ? undecided), who decided each and the quoted sentence. Answers are shown exactly as given.',
    ) +
    `<label class="filter">Find an item <input id="item-filter" type="search" placeholder="id, topic or flag" autocomplete="off"></label> <span id="item-index-filter" class="meta" aria-live="polite"></span>` +
    `<div class="table-wrap index-wrap"><table id="item-index"><thead><tr><th scope="col">Item</th><th scope="col">Topic</th><th scope="col" class="num">Depth</th>` +
    `<th scope="col" class="num">Variants</th><th scope="col" class="num">Respondents</th><th scope="col" class="num">Answers</th><th scope="col" class="num">Difficulty</th>` +
    `<th scope="col" class="num">Vetoed</th><th scope="col">Flags</th></tr></thead><tbody>${rows}</tbody></table></div>` +
    `<div id="drilldown-panel" class="panel" lang="${results.bank.language === 'zh' ? 'zh-Hans' : 'en'}" hidden aria-live="polite"></div>\n`
  );
}

export function drilldownSection(results: Results): Html {
  return raw(drilldownStart(results) + results.items.map((item) => itemBlocks(item)).join('\n') + SECTION_END);
}
