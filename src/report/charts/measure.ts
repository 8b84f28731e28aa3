/**
 * Text width as a browser will draw it, without a browser. Chart layout is computed on the
 * server, while the reader's browser picks its own font from the stack; the widths below are
 * those of DejaVu Sans, the widest common sans-serif (Arial, Roboto and Noto Sans are narrower),
 * so space reserved with them is enough on every platform. CJK and full-width characters are 1 em.
 */

const EM: Record<string, number> = {
  ' ': 0.318, '.': 0.318, ',': 0.318, ':': 0.337, ';': 0.337, '/': 0.337, '\\': 0.337, '|': 0.337, "'": 0.275, '"': 0.46,
  '-': 0.361, '_': 0.5, '(': 0.39, ')': 0.39, '[': 0.39, ']': 0.39, '{': 0.636, '}': 0.636, '%': 0.95, '+': 0.838, '=': 0.838,
  '<': 0.838, '>': 0.838, '*': 0.5, '#': 0.838, '&': 0.78, '@': 1.0, '!': 0.4, '?': 0.531, '~': 0.838, '^': 0.838,
  '−': 0.838, '–': 0.5, '—': 1.0, '…': 1.0, '±': 0.838, '×': 0.838, '·': 0.318, '▲': 0.77, '●': 0.77,
  a: 0.613, b: 0.635, c: 0.55, d: 0.635, e: 0.615, f: 0.352, g: 0.635, h: 0.634, i: 0.278, j: 0.278, k: 0.579, l: 0.278, m: 0.974,
  n: 0.634, o: 0.612, p: 0.635, q: 0.635, r: 0.411, s: 0.521, t: 0.392, u: 0.634, v: 0.592, w: 0.818, x: 0.592, y: 0.592, z: 0.525,
  A: 0.684, B: 0.686, C: 0.698, D: 0.77, E: 0.632, F: 0.575, G: 0.775, H: 0.752, I: 0.295, J: 0.295, K: 0.656, L: 0.557, M: 0.863,
  N: 0.748, O: 0.787, P: 0.603, Q: 0.787, R: 0.695, S: 0.635, T: 0.611, U: 0.732, V: 0.684, W: 0.989, X: 0.685, Y: 0.611, Z: 0.685,
};
const DIGIT = 0.636;
/** Hanzi, kana, hangul, full-width forms and CJK punctuation. */
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;
/** A few per cent on top: hinting and kerning differ between renderers. */
const MARGIN = 1.04;

/** Width in pixels of one line of `text` at `fontSize` px. */
export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += EM[ch] ?? (ch >= '0' && ch <= '9' ? DIGIT : WIDE.test(ch) ? 1 : 0.7);
  return em * fontSize * MARGIN;
}

/** Height of one line of text as browsers lay it out (ascent plus descent). */
export function lineHeight(fontSize: number): number {
  return Math.ceil(fontSize * 1.25);
}

/** Width of a CSS font shorthand's text, for ECharts' own layout ("bold 12px sans-serif"). */
export function measureFont(text: string, font?: string): { width: number } {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font ?? '')?.[1] ?? 12);
  const bold = /\b(bold|[6-9]00)\b/.test(font ?? '') ? 1.06 : 1;
  return { width: textWidth(text, size) * bold };
}

/** `text` cut to at most `width` px with an ellipsis; unchanged when it fits. */
export function fitText(text: string, width: number, fontSize: number): string {
  if (textWidth(text, fontSize) <= width) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (textWidth(`${chars.slice(0, mid).join('')}…`, fontSize) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${chars.slice(0, lo).join('').trimEnd()}…`;
}
