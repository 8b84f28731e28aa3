/**
 * results.json as text chunks: the complete Results object, written item by item so the
 * drill-down of a large study (hundreds of MB of answers and verdicts) is never one string.
 */
import type { ItemView, Results } from '../schema/results.js';
import type { EncodedText, FileChunk } from './stream-file.js';

/** Indented for reading when small; compact past this many answers, where indentation alone adds a third to the size. */
const INDENT_UP_TO_ANSWERS = 10_000;

/**
 * `onItem` sees each item's JSON text as written (compact files only), encoded, for a writer
 * that needs the same text: the item is then written as those bytes, encoded once for both.
 */
export function* resultsJsonChunks(results: Results, indentUpToAnswers = INDENT_UP_TO_ANSWERS, onItem?: (item: ItemView, json: EncodedText) => void): Generator<FileChunk> {
  const answers = results.items.reduce((n, item) => n + item.answers.length, 0);
  if (answers <= indentUpToAnswers) {
    yield JSON.stringify(results, null, 2) + '\n';
    return;
  }
  // Same text as JSON.stringify(results): keys in order, undefined members left out.
  let first = true;
  for (const [key, value] of Object.entries(results)) {
    if (value === undefined) continue;
    yield `${first ? '{' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (key === 'items') {
      yield '[';
      for (let i = 0; i < results.items.length; i++) {
        const json = JSON.stringify(results.items[i]);
        if (!onItem) {
          yield (i ? ',' : '') + json;
          continue;
        }
        const encoded = { text: json, bytes: Buffer.from(json, 'utf8') };
        onItem(results.items[i], encoded);
        if (i) yield ',';
        yield encoded;
      }
      yield ']';
    } else {
      yield JSON.stringify(value);
    }
  }
  yield '}\n';
}
