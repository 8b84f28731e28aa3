/** The chart layer's pure parts: text measuring and fitting, label placement, heatmap n and no-data cells. */
import { describe, expect, it } from 'vitest';
import { fitText, textWidth } from '../../src/report/charts/measure.js';
import { heatmapChart, placeLabels } from '../../src/report/charts/kinds.js';
import { renderChart } from '../../src/report/charts/render.js';

describe('text measure', () => {
  it('gives Chinese characters a full em and Latin text less', () => {
    expect(textWidth('胸外科', 12)).toBeGreaterThanOrEqual(36);
    expect(textWidth('iii', 12)).toBeLessThan(textWidth('MMM', 12));
  });

  it('cuts text to a width with an ellipsis and leaves text that fits alone', () => {
    expect(fitText('model-04', 200, 12)).toBe('model-04');
    const cut = fitText('华西医院胸部肿瘤科大模型-第三版-长上下文', 100, 12);
    expect(cut.endsWith('…')).toBe(true);
    expect(textWidth(cut, 12)).toBeLessThanOrEqual(100);
  });
});

describe('label placement', () => {
  const bounds = { x: 0, y: 0, w: 400, h: 300 };
  it('places labels clear of each other, of markers and of the edges, or leaves them out', () => {
    const anchors = Array.from({ length: 30 }, (_, i) => ({ x: 380 + (i % 3), y: 150 + (i % 5), w: 90, h: 13 }));
    const markers = anchors.map((a) => ({ x: a.x - 5, y: a.y - 5, w: 10, h: 10 }));
    const placed = placeLabels(anchors, markers, bounds);
    const boxes = placed.flatMap((p) => (p ? [p.box] : []));
    expect(boxes.length).toBeGreaterThan(3);
    expect(placed.some((p) => p === null)).toBe(true);
    const meets = (a: (typeof boxes)[0], b: (typeof boxes)[0]) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    for (const [i, b] of boxes.entries()) {
      expect(b.x >= 0 && b.y >= 0 && b.x + b.w <= 400 && b.y + b.h <= 300).toBe(true);
      expect(markers.some((m) => meets(m, b))).toBe(false);
      expect(boxes.slice(i + 1).some((o) => meets(o, b))).toBe(false);
    }
  });

  it('puts a lone label right beside its point, without a leader line', () => {
    expect(placeLabels([{ x: 100, y: 100, w: 40, h: 13 }], [], bounds)).toEqual([{ box: { x: 106, y: 93.5, w: 40, h: 13 }, leader: false }]);
  });
});

describe('heatmap', () => {
  const base = { title: 'test', xLabels: ['a', 'b'], yLabels: ['r1', 'r2'], scale: 'sequential' as const, min: 0, max: 1 };

  it('refuses an estimate cell without its n', () => {
    expect(() => heatmapChart({ ...base, cells: [[0, 0, 0.5]] })).toThrow(/no n/);
  });

  it('prints n in every cell, hatches empty and missing cells and names the pattern, and gives cut labels their full text', () => {
    const long = 'a very long respondent name that cannot fit beside the chart at all';
    const svg = renderChart(heatmapChart({ ...base, yLabels: ['r1', long], cells: [[0, 0, 0.5, '50%', 12], [1, 0, null], [0, 1, 1, '100%', 1]] }));
    expect(svg).toContain('n=12');
    expect(svg).toContain('n=1');
    expect(svg).toContain('no data');
    expect(svg).toContain(`<title>${long}</title>`);
    // Two cells without data (one null, one never given), each hatched with several lines.
    expect((svg.match(/fill="#f6f8fa"/g) ?? []).length).toBe(3); // two cells and the key
  });
});
