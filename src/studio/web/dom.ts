/**
 * Building the page from data: every string becomes a text node, never markup, so an answer
 * containing <script> or <img onerror> is shown as the characters it is.
 */
export type Child = Node | string | number | null | undefined | false | Child[];
type Attr = string | number | boolean | undefined | ((event: Event) => void);

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, Attr> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on:/, ''), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

export interface Marked {
  start: number;
  end: number;
  cls: string;
  title?: string;
}

/** The answer text with one span marked. */
export function marked(text: string, span: { start: number; end: number } | null | undefined, cls = 'span'): Child[] {
  return markedAll(text, span ? [{ ...span, cls }] : []);
}

/** The answer text with several spans marked; where spans overlap, the later one (by start) is cut to what is left of it. */
export function markedAll(text: string, spans: Marked[]): Child[] {
  const out: Child[] = [];
  let at = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const start = Math.max(span.start, at);
    if (span.end <= start) continue;
    out.push(text.slice(at, start), h('mark', { class: span.cls, title: span.title }, text.slice(start, span.end)));
    at = span.end;
  }
  out.push(text.slice(at));
  return out;
}

/** Character offsets of the current selection inside `root` (null when the selection is elsewhere or empty). */
export function selectionIn(root: Element): { start: number; end: number } | null {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.setStart(root, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const start = before.toString().length;
  return { start, end: start + range.toString().length };
}

export const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? '–' : x.toFixed(digits));
