/**
 * The chart rules checked in a real browser, on the boxes chromium actually lays out: for every
 * `svg.chart` of a page, no two texts overlap, no text covers a mark (a text may sit inside one
 * mark, as a heatmap cell prints its value) or lies on a data line, and no text extends past its
 * SVG's visible box.
 * Rotated texts are compared as rotated rectangles (separating axes), not as their bounding boxes.
 */
import type { Page } from 'playwright-core';
import { SERIES_COLOURS } from '../../src/report/charts/theme.js';

export interface LayoutProblem {
  chart: string;
  kind: 'overlap' | 'mark' | 'line' | 'cut';
  text: string;
  other?: string;
}

export interface ChartLayout {
  chart: string;
  texts: number;
  marks: number;
  lines: number;
  problems: LayoutProblem[];
}

// Plain JavaScript run in the page: a serialised TypeScript function could carry compiler helpers.
const CHECK = String.raw`((SERIES) => {
  const EPS = 0.75; // screen pixels an outline may touch another without counting as overlap
  const corners = (el) => {
    const b = el.getBBox();
    const m = el.getScreenCTM();
    return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]].map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
  };
  // Separating axis test for two convex quadrilaterals, with EPS of slack on every axis.
  const overlap = (p, q) => {
    for (const poly of [p, q]) {
      for (let i = 0; i < 4; i++) {
        const [x1, y1] = poly[i];
        const [x2, y2] = poly[(i + 1) % 4];
        const len = Math.hypot(x2 - x1, y2 - y1) || 1;
        const nx = (y1 - y2) / len;
        const ny = (x2 - x1) / len;
        const proj = (pts) => pts.map(([x, y]) => x * nx + y * ny);
        const a = proj(p);
        const b = proj(q);
        if (Math.max(...a) - EPS <= Math.min(...b) || Math.max(...b) - EPS <= Math.min(...a)) return false;
      }
    }
    return true;
  };
  const inside = (p, box) => p.every(([x, y]) => x >= box.left - EPS && x <= box.right + EPS && y >= box.top - EPS && y <= box.bottom + EPS);
  const rectOf = (q) => ({ left: Math.min(...q.map((c) => c[0])), right: Math.max(...q.map((c) => c[0])), top: Math.min(...q.map((c) => c[1])), bottom: Math.max(...q.map((c) => c[1])) });
  const label = (t) => [...t.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
  const out = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    const chart = svg.getAttribute('aria-label') || '(unnamed chart)';
    const visible = svg.getBoundingClientRect();
    if (visible.width === 0 || visible.height === 0) continue;
    const texts = [...svg.querySelectorAll('text')]
      .filter((t) => label(t) !== '' && t.getAttribute('opacity') !== '0' && getComputedStyle(t).visibility !== 'hidden')
      .map((t) => ({ text: label(t), q: corners(t) }))
      .filter((t) => rectOf(t.q).right - rectOf(t.q).left > 0.5);
    // Marks: filled shapes (cells, markers, legend keys); silent ones are decoration such as CI bands.
    const marks = [...svg.querySelectorAll('path[ecmeta_ssr_type]:not([ecmeta_silent])')]
      .filter((p) => (p.getAttribute('fill') || 'none') !== 'none')
      .map((p) => ({ q: corners(p), name: p.getAttribute('data-mark') || p.getAttribute('ecmeta_ssr_type') }));
    // Data lines carry no renderer tag: they are the unfilled paths stroked in a series colour.
    const lines = [...svg.querySelectorAll('path:not([ecmeta_silent])')]
      .filter((p) => (p.getAttribute('fill') || 'none') === 'none' && SERIES.includes((p.getAttribute('stroke') || '').toUpperCase()))
      .map((p) => ({ p, box: p.getBoundingClientRect(), inv: p.getScreenCTM().inverse() }));
    const onLine = (q) => {
      const u = [q[1][0] - q[0][0], q[1][1] - q[0][1]];
      const v = [q[3][0] - q[0][0], q[3][1] - q[0][1]];
      const steps = (w) => Math.max(2, Math.ceil(Math.hypot(w[0], w[1]) / 3));
      const [nu, nv] = [steps(u), steps(v)];
      const r = rectOf(q);
      return lines.some(({ p: line, box, inv }) => {
        // Only lines whose box meets the text's are sampled: the stroke test is costly.
        if (box.right + 2 < r.left || box.left - 2 > r.right || box.bottom + 2 < r.top || box.top - 2 > r.bottom) return false;
        for (let i = 1; i < nu; i++)
          for (let j = 1; j < nv; j++) {
            const x = q[0][0] + (u[0] * i) / nu + (v[0] * j) / nv;
            const y = q[0][1] + (u[1] * i) / nu + (v[1] * j) / nv;
            if (line.isPointInStroke(new DOMPoint(x, y).matrixTransform(inv))) return true;
          }
        return false;
      });
    };
    const problems = [];
    texts.forEach((t, i) => {
      if (!inside(t.q, visible)) problems.push({ chart, kind: 'cut', text: t.text });
      for (let j = i + 1; j < texts.length; j++) if (overlap(t.q, texts[j].q)) problems.push({ chart, kind: 'overlap', text: t.text, other: texts[j].text });
      if (onLine(t.q)) problems.push({ chart, kind: 'line', text: t.text });
      const box = rectOf(t.q);
      for (const m of marks) {
        if (!overlap(t.q, m.q)) continue;
        const cell = rectOf(m.q);
        // A text wholly inside one mark is that mark's own label (a heatmap cell's value).
        if (box.left >= cell.left - EPS && box.right <= cell.right + EPS && box.top >= cell.top - EPS && box.bottom <= cell.bottom + EPS) continue;
        problems.push({ chart, kind: 'mark', text: t.text, other: m.name });
      }
    });
    out.push({ chart, texts: texts.length, marks: marks.length, lines: lines.length, problems });
  }
  return out;
})`;

/** Every chart of the page with the problems found on it (an empty list per chart is a pass). */
export async function chartLayout(page: Page): Promise<ChartLayout[]> {
  return (await page.evaluate(`${CHECK}(${JSON.stringify(SERIES_COLOURS.map((c) => c.toUpperCase()))})`)) as ChartLayout[];
}
