/**
 * Every match of a global pattern in a text, as `matchAll` gives them, without its cost: matchAll
 * clones the pattern (some have hundreds of alternatives) and makes an iterator result per match,
 * for every answer. An empty match is stepped past by a whole code point under the u flag, as
 * matchAll does; the pattern's lastIndex is left at 0, so the module-level patterns stay reusable.
 */
export function forEachMatch(pattern: RegExp, text: string, visit: (match: RegExpExecArray) => void): void {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m[0].length === 0) {
      const code = text.codePointAt(pattern.lastIndex);
      pattern.lastIndex += pattern.unicode && code !== undefined && code > 0xffff ? 2 : 1;
    }
    visit(m);
  }
  pattern.lastIndex = 0;
}
