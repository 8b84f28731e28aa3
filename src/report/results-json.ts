/**
 * results.json as text chunks: the complete Results object, written item by item so the
 * drill-down of a large study (hundreds of MB of answers and verdicts) is never one string.
 */
import type { Results } from '../schema/results.js';

/** Indented for reading when small; compact past this many answers, where indentation alone adds a third to the size. */
const INDENT_UP_TO_ANSWERS = 10_000;

export function* resultsJsonChunks(results: Results, indentUpToAnswers = INDENT_UP_TO_ANSWERS): Generator<string> {
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
      for (let i = 0; i < results.items.length; i++) yield (i ? ',' : '') + JSON.stringify(results.items[i]);
      yield ']';
    } else {
      yield JSON.stringify(value);
    }
  }
  yield '}\n';
}
