/** Small HTML building blocks. Every text argument is escaped here; `Html` marks trusted markup. */
import { escapeHtml } from '../escape.js';

/** Markup built by this module or by the chart renderer, never raw input. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export const raw = (markup: string): Html => new Html(markup);

export type Cell = string | number | null | undefined | Html;

export function text(value: Cell): string {
  if (value instanceof Html) return value.value;
  if (value === null || value === undefined) return '–';
  return escapeHtml(value);
}

export function join(parts: (Html | string)[]): Html {
  return raw(parts.map((p) => (p instanceof Html ? p.value : escapeHtml(p))).join(''));
}

/** An element with escaped text or nested trusted markup; attributes are escaped too. */
export function el(tag: string, attrs: Record<string, string | number | boolean | undefined>, ...children: Cell[]): Html {
  const attributes = Object.entries(attrs)
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => (v === true ? ` ${k}` : ` ${k}="${escapeHtml(v)}"`))
    .join('');
  return raw(`<${tag}${attributes}>${children.map(text).join('')}</${tag}>`);
}

export interface Column<T> {
  header: string;
  cell: (row: T) => Cell;
  /** Right-aligned numeric column. */
  numeric?: boolean;
  title?: string;
}

export function table<T>(rows: T[], columns: Column<T>[], caption?: string): Html {
  const head = columns.map((c) => `<th scope="col"${c.numeric ? ' class="num"' : ''}${c.title ? ` title="${escapeHtml(c.title)}"` : ''}>${escapeHtml(c.header)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${columns.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${text(c.cell(row))}</td>`).join('')}</tr>`)
    .join('\n');
  return raw(
    `<div class="table-wrap"><table>${caption ? `<caption>${escapeHtml(caption)}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`,
  );
}

/** A report section: heading, a short plain-language explanation, then its content. */
export function section(id: string, title: string, explanation: string, ...content: Cell[]): Html {
  return raw(`${sectionStart(id, title, explanation)}${content.map(text).join('\n')}${SECTION_END}`);
}

/** A section's markup before its content, for a section written in pieces. */
export function sectionStart(id: string, title: string, explanation: string): string {
  return `<section id="${escapeHtml(id)}" data-section="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2><p class="explain">${escapeHtml(explanation)}</p>`;
}

export const SECTION_END = '</section>';

export function figure(svg: string, caption: string): Html {
  return raw(`<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`);
}

export function note(message: string): Html {
  return raw(`<p class="note">${escapeHtml(message)}</p>`);
}

/** A link to the answers behind a figure: the item index filtered to a depth, opened on one respondent's answers. */
export function answersLink(label: Cell, respondent: string, depth?: number): Html {
  const query = `respondent=${encodeURIComponent(respondent)}${depth === undefined ? '' : `&depth=${depth}`}`;
  const attrs = { href: `#drilldown?${query}`, class: 'answers-link', 'data-view': 'drilldown', 'data-respondent': respondent, 'data-depth': depth === undefined ? undefined : String(depth) };
  return el('a', attrs, label);
}
