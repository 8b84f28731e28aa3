/**
 * The few chart shapes the report uses, as pure functions from data to a ChartSpec:
 * intervals (mean with CI), curves with CI bands, labelled heatmaps and labelled scatters.
 * Every value is also printed as a label, so colour is never the only carrier of meaning.
 */
import type { ChartSpec } from './render.js';
import { CHART_FONT_STACK as FONT_STACK, DIVERGING, GRID, HUMAN_SYMBOL, INK, MODEL_SYMBOL, MUTED, SEQUENTIAL, seriesColour, seriesSymbol } from './theme.js';
import { fitText, lineHeight, textWidth } from './measure.js';

const AXIS_LABEL = { color: MUTED, fontFamily: FONT_STACK };
const CELL_FONT = 11;
const AXIS_FONT = 12;
const SPLIT_LINE = { lineStyle: { color: GRID } };

export function fmt(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

// ---------------------------------------------------------------------------------------

export interface IntervalRow {
  label: string;
  value: number | null;
  lo: number | null;
  hi: number | null;
  /** Drawn with the human marker (doctors beside models). */
  human?: boolean;
}

/** Horizontal dot-and-whisker chart: one row per label, the mean as a labelled marker, the CI as a whisker. */
export function intervalChart(input: {
  title: string;
  rows: IntervalRow[];
  axisName: string;
  min?: number;
  max?: number;
  /** A vertical reference line, e.g. 0 for differences. */
  reference?: number;
  width?: number;
}): ChartSpec {
  const rows = [...input.rows].reverse(); // first row at the top
  // Rows far enough apart that a value label above a marker stays clear of the row above.
  const height = Math.max(140, 60 + rows.length * 34);
  const titles = new Map<string, string>();
  const labels = rows.map((r) => {
    const full = r.label + (r.human ? ' ▲' : '');
    const short = fitText(full, Y_LABEL_MAX, AXIS_FONT);
    if (short !== full) titles.set(short, full);
    return short;
  });
  const whiskers = rows.map((r, i) => (r.lo === null || r.hi === null ? [i, null, null] : [i, r.lo, r.hi]));
  return {
    title: input.title,
    width: input.width ?? 760,
    height,
    titles,
    option: {
      grid: { left: 24, right: 56, top: 16, bottom: 40, containLabel: true },
      xAxis: {
        type: 'value',
        name: input.axisName,
        nameLocation: 'middle',
        nameGap: 26,
        min: input.min,
        max: input.max,
        axisLabel: AXIS_LABEL,
        splitLine: SPLIT_LINE,
      },
      yAxis: {
        type: 'category',
        data: labels,
        axisLabel: AXIS_LABEL,
        axisTick: { show: false },
      },
      series: [
        {
          type: 'custom',
          name: 'CI',
          silent: true,
          renderItem: (_params, api) => {
            const lo = api.value(1);
            const hi = api.value(2);
            if (lo === null || hi === null || Number.isNaN(Number(lo))) return null;
            const a = api.coord([lo, api.value(0)]);
            const b = api.coord([hi, api.value(0)]);
            const cap = 5;
            const style = { stroke: MUTED, lineWidth: 1.5 };
            return {
              type: 'group',
              children: [
                { type: 'line', shape: { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, style },
                { type: 'line', shape: { x1: a[0], y1: a[1] - cap, x2: a[0], y2: a[1] + cap }, style },
                { type: 'line', shape: { x1: b[0], y1: b[1] - cap, x2: b[0], y2: b[1] + cap }, style },
              ],
            };
          },
          encode: { x: [1, 2], y: 0 },
          data: whiskers,
          z: 1,
        },
        {
          type: 'scatter',
          name: 'mean',
          data: rows.map((r) => ({
            value: [r.value, rows.indexOf(r)],
            symbol: r.human ? HUMAN_SYMBOL : MODEL_SYMBOL,
            itemStyle: { color: r.human ? seriesColour(1) : seriesColour(0) },
          })),
          symbolSize: 10,
          // Above the marker and starting at it, so a value at the axis never reaches the row labels.
          label: { show: true, position: 'top', align: 'left', offset: [-MARKER / 2, 0], distance: 6, fontSize: CELL_FONT, formatter: (p) => fmt((p.value as number[])[0]), color: MUTED },
          z: 2,
          markLine:
            input.reference === undefined
              ? undefined
              : { silent: true, symbol: 'none', label: { show: false }, lineStyle: { color: MUTED, type: 'dashed' }, data: [{ xAxis: input.reference }] },
        },
      ],
    },
  };
}

// ---------------------------------------------------------------------------------------

export interface CurvePoint {
  x: number;
  value: number | null;
  lo: number | null;
  hi: number | null;
  /** Items behind the value, printed under its level. */
  n?: number;
}

export interface Curve {
  name: string;
  points: CurvePoint[];
  human?: boolean;
  /** The level where the slope changes (the knee), marked with a vertical line. */
  knee?: number | null;
}

/** Legend entries packed into rows of `width` px as ECharts packs them: [rows, height]. */
function legendRows(names: string[], width: number): number {
  let rows = 1;
  let used = 0;
  for (const name of names) {
    const w = 25 + 5 + textWidth(name, AXIS_FONT) + 10;
    if (used > 0 && used + w > width) {
      rows += 1;
      used = 0;
    }
    used += w;
  }
  return rows;
}

/** Stacks labels centred at `centres` into rows so that no two in a row meet: the row of each. */
function stackRows(centres: number[], widths: number[]): number[] {
  const rows: [number, number][][] = [];
  return centres.map((c, i) => {
    const span: [number, number] = [c - widths[i] / 2 - 4, c + widths[i] / 2 + 4];
    let row = rows.findIndex((r) => r.every(([a, b]) => span[1] <= a || span[0] >= b));
    if (row < 0) row = rows.push([]) - 1;
    rows[row].push(span);
    return row;
  });
}

/**
 * For each point of a lone curve, where its value label goes: the first place, of above, below,
 * the four diagonals, right and left, that crosses neither line segment at the point nor the knee
 * line and stays inside the plot (or the room above it); above when none is free. Returned as a
 * label option placing the label's top-left corner relative to the marker's.
 */
function valueLabelPlaces(curve: Curve, levels: number[], g: { left: number; top: number; band: number; plotH: number; min: number; max: number; room: number }) {
  const xy = levels.map((level, i) => {
    const v = curve.points.find((p) => p.x === level)?.value;
    return v === null || v === undefined ? null : [g.left + g.band * (i + 0.5), g.top + ((g.max - v) / (g.max - g.min || 1)) * g.plotH];
  });
  const kneeX = curve.knee === null || curve.knee === undefined ? null : g.left + g.band * (levels.indexOf(curve.knee) + 0.5);
  const h = lineHeight(CELL_FONT);
  return xy.map((p, i) => {
    if (!p) return null;
    const w = textWidth(fmt(curve.points.find((q) => q.x === levels[i])!.value), CELL_FONT);
    const d = 4 + MARKER / 2;
    const [x, y] = p;
    const boxes: Box[] = [
      { x: x - w / 2, y: y - d - h, w, h },
      { x: x - w / 2, y: y + d, w, h },
      { x: x + d / 2, y: y - d - h, w, h },
      { x: x - d / 2 - w, y: y - d - h, w, h },
      { x: x + d / 2, y: y + d, w, h },
      { x: x - d / 2 - w, y: y + d, w, h },
      { x: x + d, y: y - h / 2, w, h },
      { x: x - d - w, y: y - h / 2, w, h },
    ];
    const segments = [xy[i - 1], xy[i + 1]].filter((q): q is number[] => !!q).map((q) => [p, q]);
    if (kneeX !== null) segments.push([[kneeX, g.top - g.room], [kneeX, g.top + g.plotH]]);
    const crosses = (b: Box) =>
      segments.some(([a, c]) => {
        for (let t = 0; t <= 1; t += 0.01) {
          const [sx, sy] = [a[0] + (c[0] - a[0]) * t, a[1] + (c[1] - a[1]) * t];
          if (sx > b.x - 2 && sx < b.x + b.w + 2 && sy > b.y - 2 && sy < b.y + b.h + 2) return true;
        }
        return false;
      });
    const fits = (b: Box) => b.y >= g.top - g.room && b.y + b.h <= g.top + g.plotH && b.x >= g.left && b.x + b.w <= g.left + g.band * levels.length;
    const box = boxes.find((b) => fits(b) && !crosses(b)) ?? boxes[0];
    return { position: [box.x - (x - MARKER / 2), box.y - (y - MARKER / 2)], align: 'left' as const, verticalAlign: 'top' as const, lineHeight: h };
  });
}

/**
 * Lines over ordered levels with a shaded CI band per line, n under every level, and knees marked
 * by dashed vertical lines whose labels are stacked above the plot, clear of the legend and of
 * the value labels.
 */
export function curveChart(input: {
  title: string;
  curves: Curve[];
  levels: number[];
  xName: string;
  yName: string;
  min?: number;
  max?: number;
  width?: number;
  height?: number;
}): ChartSpec {
  const width = input.width ?? 760;
  const lh = lineHeight(AXIS_FONT);
  const categories = input.levels.map(String);
  const levelLabels = input.levels.map((level) => {
    const ns = input.curves.flatMap((c) => c.points.filter((p) => p.x === level && p.n !== undefined && p.value !== null).map((p) => p.n!));
    if (ns.length === 0) return String(level);
    const [lo, hi] = [Math.min(...ns), Math.max(...ns)];
    return `${level}\nn=${lo === hi ? lo : `${lo}–${hi}`}`;
  });
  const named = input.curves.length > 1;
  const yLabelW = Math.max(...[input.min ?? 0, input.max ?? 100].map((v) => textWidth(String(v), AXIS_FONT)));
  const yNameGap = Math.ceil(yLabelW + 14);
  const left = yNameGap + lh + 6;
  const right = 24;
  const band = (width - left - right) / Math.max(1, input.levels.length);
  const legendH = named ? legendRows(input.curves.map((c) => c.name), width - 16) * 24 : 0;
  const knees = input.curves.map((c, i) => ({ i, c })).filter(({ c }) => c.knee !== null && c.knee !== undefined);
  const kneeText = (level: number) => `knee ${level}`;
  const kneeRows = stackRows(
    knees.map(({ c }) => left + band * (input.levels.indexOf(c.knee!) + 0.5)),
    knees.map(({ c }) => textWidth(kneeText(c.knee!), AXIS_FONT)),
  );
  const kneeRowCount = knees.length ? Math.max(...kneeRows) + 1 : 0;
  // Room above the plot for the value labels of points at the top of the scale.
  const valueRoom = input.curves.length === 1 ? lh + 14 : 6;
  const top = legendH + valueRoom + kneeRowCount * (lh + 2) + 8;
  const xLines = levelLabels.some((l) => l.includes('\n')) ? 2 : 1;
  const xNameGap = 8 + xLines * lh + 6;
  const bottom = xNameGap + lh + 6;
  const height = Math.max(input.height ?? 320, top + 160 + bottom);
  const places = input.curves.length === 1 ? valueLabelPlaces(input.curves[0], input.levels, { left, top, band, plotH: height - top - bottom, min: input.min ?? 0, max: input.max ?? 100, room: valueRoom - 4 }) : [];
  const series: Record<string, unknown>[] = [];
  input.curves.forEach((curve, index) => {
    const colour = seriesColour(index);
    const byLevel = new Map(curve.points.map((p) => [p.x, p]));
    const at = (level: number) => byLevel.get(level);
    const stack = `band-${index}`;
    // The band is a stacked area: an invisible lower line, then (hi - lo) filled above it.
    series.push({
      type: 'line',
      name: `${curve.name} lower`,
      stack,
      silent: true,
      symbol: 'none',
      lineStyle: { opacity: 0 },
      data: input.levels.map((l) => at(l)?.lo ?? null),
    });
    series.push({
      type: 'line',
      name: `${curve.name} CI`,
      stack,
      silent: true,
      symbol: 'none',
      lineStyle: { opacity: 0 },
      areaStyle: { color: colour, opacity: 0.15 },
      data: input.levels.map((l) => {
        const p = at(l);
        return p && p.lo !== null && p.hi !== null ? p.hi - p.lo : null;
      }),
    });
    const kneeIndex = knees.findIndex((k) => k.i === index);
    series.push({
      type: 'line',
      name: curve.name,
      symbol: curve.human ? HUMAN_SYMBOL : seriesSymbol(index),
      symbolSize: 8,
      color: colour,
      lineStyle: { color: colour, width: 2, type: curve.human ? 'dashed' : 'solid' },
      itemStyle: { color: colour },
      label: input.curves.length === 1 ? { show: true, fontSize: CELL_FONT, formatter: (p: { value: unknown }) => fmt(p.value as number) } : undefined,
      data: input.levels.map((l, i) => (places[i] ? { value: at(l)?.value ?? null, label: places[i] } : (at(l)?.value ?? null))),
      markLine:
        kneeIndex < 0
          ? undefined
          : {
              silent: true,
              symbol: 'none',
              lineStyle: { color: colour, type: 'dashed', width: 1.5 },
              label: { formatter: kneeText(curve.knee!), position: 'end', distance: valueRoom + kneeRows[kneeIndex] * (lh + 2), color: colour, fontSize: AXIS_FONT },
              data: [{ xAxis: String(curve.knee) }],
            },
    });
  });
  return {
    title: input.title,
    width,
    height,
    option: {
      grid: { left, right, top, bottom },
      legend: named ? { top: 4, left: 8, right: 8, data: input.curves.map((c) => c.name), textStyle: { fontFamily: FONT_STACK, color: MUTED, fontSize: AXIS_FONT } } : undefined,
      xAxis: {
        type: 'category',
        data: categories,
        // Levels sit in the middle of their band, so labels at the first level never meet the y axis labels.
        boundaryGap: true,
        name: input.xName,
        nameLocation: 'middle',
        nameGap: xNameGap,
        axisLabel: { ...AXIS_LABEL, fontSize: AXIS_FONT, lineHeight: lh, interval: 0, margin: 8, formatter: (_v: string, i: number) => levelLabels[i] },
      },
      yAxis: {
        type: 'value',
        name: input.yName,
        nameLocation: 'middle',
        nameGap: yNameGap,
        min: input.min,
        max: input.max,
        axisLabel: { ...AXIS_LABEL, fontSize: AXIS_FONT },
        splitLine: SPLIT_LINE,
      },
      series: series as never,
    },
  };
}

// ---------------------------------------------------------------------------------------

/** One heatmap cell: [x index, y index, value, label?, n?]. A null value is a cell with no data. */
export type HeatCell = [number, number, number | null, string?, number?];

/** Axis labels longer than these are cut with an ellipsis; the full text is the label's tooltip. */
const Y_LABEL_MAX = 220;
const X_LABEL_MAX = 170;
const NO_DATA_FILL = '#f6f8fa';

/** Lines at 45° across a w × h box at (x, y), `step` apart: the "no data" hatching. */
function hatch(x: number, y: number, w: number, h: number, step = 6) {
  const lines = [];
  for (let c = step; c < w + h; c += step) {
    const [ax, ay] = [Math.max(0, c - h), Math.min(h, c)];
    const [bx, by] = [Math.min(w, c), Math.max(0, c - w)];
    lines.push({ type: 'line', shape: { x1: x + ax, y1: y + h - ay, x2: x + bx, y2: y + h - by }, style: { stroke: GRID, lineWidth: 1 } });
  }
  return lines;
}

/**
 * A labelled heatmap: every cell prints its value and, unless the values are themselves counts,
 * its n on a second line; the colour only repeats the value. Cells without data are hatched, never
 * drawn as a low value. The geometry is computed here, not left to the renderer: cells are as wide
 * as their widest label, x labels turn 45° when they do not fit a column, long labels are cut
 * with the full text as tooltip, and the axis names sit clear of the labels.
 */
export function heatmapChart(input: {
  title: string;
  xLabels: string[];
  yLabels: string[];
  cells: HeatCell[];
  scale: 'sequential' | 'diverging';
  min: number;
  max: number;
  digits?: number;
  xName?: string;
  yName?: string;
  /** The values are counts (they are their own n): cells print no separate n. */
  counts?: boolean;
}): ChartSpec {
  const digits = input.digits ?? 0;
  // A position the caller gave no cell for has no data, like a cell whose value is null.
  const given = new Set(input.cells.map(([x, y]) => `${x},${y}`));
  const missing = input.yLabels.flatMap((_, y) => input.xLabels.flatMap((__, x): HeatCell[] => (given.has(`${x},${y}`) ? [] : [[x, y, null]])));
  const cells = [...input.cells, ...missing];
  const cellLines = cells.map(([, , v, label, n]) => {
    if (v === null) return [];
    if (!input.counts && n === undefined) throw new Error(`heatmap "${input.title}": a cell has no n`);
    return input.counts ? [label ?? fmt(v, digits)] : [label ?? fmt(v, digits), `n=${n}`];
  });
  const lineCount = input.counts ? 1 : 2;
  const cellW = Math.ceil(Math.max(46, ...cellLines.flat().map((l) => textWidth(l, CELL_FONT) + 10)));
  const cellH = Math.max(24, lineCount * lineHeight(CELL_FONT) + 10);
  const titles = new Map<string, string>();
  const fit = (label: string, width: number) => {
    const short = fitText(label, width, AXIS_FONT);
    if (short !== label) titles.set(short, label);
    return short;
  };
  const yTexts = input.yLabels.map((l) => fit(l, Y_LABEL_MAX));
  const xTexts = input.xLabels.map((l) => fit(l, X_LABEL_MAX));
  const yW = Math.max(0, ...yTexts.map((l) => textWidth(l, AXIS_FONT)));
  const xW = Math.max(0, ...xTexts.map((l) => textWidth(l, AXIS_FONT)));
  const lh = lineHeight(AXIS_FONT);
  const rotate = xW > cellW - 8;
  // A label turned 45° about its end: its extent below the axis and to the left of its column centre.
  const xDepth = rotate ? (xW + lh) * Math.SQRT1_2 : lh;
  const xReach = rotate ? (xW + lh / 2) * Math.SQRT1_2 - cellW / 2 : 0;
  const LABEL_GAP = 8;
  const left = Math.ceil(Math.max(yW + LABEL_GAP + 6, xReach + 6));
  const top = input.yName ? lh + 10 : 8;
  const plotH = input.yLabels.length * cellH;
  const xNameGap = Math.ceil(LABEL_GAP + xDepth + 8);
  const bottom = xNameGap + (input.xName ? lh + 6 : 0) + 4;
  const hasEmpty = cells.some((c) => c[2] === null);
  const keyH = hasEmpty ? lh + 8 : 0;
  const width = left + input.xLabels.length * cellW + 16;
  const height = top + plotH + bottom + keyH;
  const darkCell = (v: number) => {
    const t = (Math.max(input.min, Math.min(input.max, v)) - input.min) / (input.max - input.min || 1);
    return input.scale === 'diverging' ? Math.abs(t - 0.5) > 0.3 : t > 0.55;
  };
  const empty = cells.filter((c) => c[2] === null).map(([x, y]) => [x, y]);
  return {
    title: input.title,
    width,
    height,
    titles,
    option: {
      grid: { left, top, width: input.xLabels.length * cellW, height: plotH },
      xAxis: {
        type: 'category',
        data: xTexts,
        name: input.xName,
        nameLocation: 'middle',
        nameGap: xNameGap,
        nameTextStyle: { fontFamily: FONT_STACK },
        axisLabel: { ...AXIS_LABEL, fontSize: AXIS_FONT, interval: 0, margin: LABEL_GAP, rotate: rotate ? 45 : 0 },
        axisTick: { show: false },
        splitArea: { show: false },
      },
      yAxis: {
        type: 'category',
        data: yTexts,
        inverse: true,
        axisLabel: { ...AXIS_LABEL, fontSize: AXIS_FONT, interval: 0, margin: LABEL_GAP },
        axisTick: { show: false },
      },
      visualMap: {
        show: false,
        seriesIndex: 0,
        min: input.min,
        max: input.max,
        dimension: 2,
        inRange: { color: [...(input.scale === 'diverging' ? DIVERGING : SEQUENTIAL)] },
      },
      // The y axis name and the "no data" key are drawn as plain graphics where nothing else is.
      graphic: [
        ...(input.yName ? [{ type: 'text', left: 6, top: 4, style: { text: input.yName, fill: INK, font: `${AXIS_FONT}px ${FONT_STACK}` } }] : []),
        ...(hasEmpty
          ? [
              {
                type: 'group',
                left: left,
                top: height - keyH + 2,
                children: [
                  { type: 'rect', shape: { x: 0, y: 0, width: 22, height: lh - 1 }, style: { fill: NO_DATA_FILL, stroke: GRID } },
                  ...hatch(0, 0, 22, lh - 1, 5),
                  { type: 'text', x: 28, y: 0, style: { text: 'no data', fill: MUTED, font: `${AXIS_FONT}px ${FONT_STACK}` } },
                ],
              },
            ]
          : []),
      ] as never,
      series: [
        {
          type: 'heatmap',
          data: cells
            .map((cell, i) => ({ cell, lines: cellLines[i] }))
            .filter(({ cell }) => cell[2] !== null)
            .map(({ cell: [x, y, v], lines }) => ({ value: [x, y, v], name: lines.join('\n'), label: { color: darkCell(v!) ? '#ffffff' : '#111111' } })),
          label: { show: true, fontSize: CELL_FONT, lineHeight: lineHeight(CELL_FONT), formatter: (p: { name: string }) => p.name, color: '#111111' },
          itemStyle: { borderColor: '#ffffff', borderWidth: 1 },
        },
        {
          type: 'custom',
          name: 'no data',
          data: empty,
          renderItem: (_params, api) => {
            const [cx, cy] = api.coord([api.value(0), api.value(1)]);
            const [w, h] = api.size!([1, 1]) as number[];
            const [x, y] = [cx - w / 2 + 0.5, cy - h / 2 + 0.5];
            return {
              type: 'group',
              children: [{ type: 'rect', shape: { x, y, width: w - 1, height: h - 1 }, style: { fill: NO_DATA_FILL } }, ...hatch(x, y, w - 1, h - 1)],
            } as never;
          },
        },
      ],
    },
  };
}

// ---------------------------------------------------------------------------------------

export interface ScatterGroup {
  name: string;
  points: { x: number; y: number; label?: string }[];
  /** Print each point's label beside it, where it fits. */
  labelled?: boolean;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const meets = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Places each label beside its anchor, trying right, left, above, below and the diagonals, first
 * next to it and then on three wider rings (those get a leader line), at the first place that meets
 * no other label, no obstacle (markers) and stays inside `bounds`; a label with no such place is
 * left out (null). Greedy, in the order given.
 */
export function placeLabels(anchors: { x: number; y: number; w: number; h: number }[], obstacles: Box[], bounds: Box): ({ box: Box; leader: boolean } | null)[] {
  const placed: Box[] = [];
  const inside = (b: Box) => b.x >= bounds.x && b.y >= bounds.y && b.x + b.w <= bounds.x + bounds.w && b.y + b.h <= bounds.y + bounds.h;
  return anchors.map((a) => {
    for (const gap of [6, 20, 34, 50]) {
      const candidates: Box[] = [
        { x: a.x + gap, y: a.y - a.h / 2, w: a.w, h: a.h },
        { x: a.x - gap - a.w, y: a.y - a.h / 2, w: a.w, h: a.h },
        { x: a.x - a.w / 2, y: a.y - gap - a.h, w: a.w, h: a.h },
        { x: a.x - a.w / 2, y: a.y + gap, w: a.w, h: a.h },
        { x: a.x + gap, y: a.y - gap - a.h, w: a.w, h: a.h },
        { x: a.x + gap, y: a.y + gap, w: a.w, h: a.h },
        { x: a.x - gap - a.w, y: a.y - gap - a.h, w: a.w, h: a.h },
        { x: a.x - gap - a.w, y: a.y + gap, w: a.w, h: a.h },
      ];
      const box = candidates.find((b) => inside(b) && !placed.some((p) => meets(p, b)) && !obstacles.some((o) => meets(o, b)));
      if (box) {
        placed.push(box);
        return { box, leader: gap > 6 };
      }
    }
    return null;
  });
}

/** The point of `box` nearest to (x, y): where a leader line from (x, y) ends. */
function nearestOn(box: Box, x: number, y: number): [number, number] {
  return [Math.max(box.x, Math.min(box.x + box.w, x)), Math.max(box.y, Math.min(box.y + box.h, y))];
}

const SCATTER_FONT = 10;
const MARKER = 8;

/**
 * Scatter with one marker shape and colour per group and a legend naming the groups. Labels of
 * labelled groups are placed clear of every marker, of each other and of the chart's edges;
 * those that find no place are left to the table beside the chart.
 */
export function scatterChart(input: {
  title: string;
  groups: ScatterGroup[];
  xName: string;
  yName: string;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  width?: number;
  height?: number;
  /** Reference lines: vertical at x values, horizontal at y values. */
  xRefs?: number[];
  yRefs?: number[];
}): ChartSpec {
  const width = input.width ?? 760;
  const height = input.height ?? 380;
  const lh = lineHeight(AXIS_FONT);
  const legendH = legendRows(input.groups.map((g) => g.name), width - 16) * 24;
  const yLabelW = Math.max(...[input.yMin, input.yMax, (input.yMin + input.yMax) / 2].map((v) => textWidth(String(v), AXIS_FONT) + 8));
  const yNameGap = Math.ceil(yLabelW + 14);
  const grid = { left: yNameGap + lh + 6, right: 16, top: legendH + 12, bottom: 8 + lh + 8 + lh + 6 };
  const plot = { x: grid.left, y: grid.top, w: width - grid.left - grid.right, h: height - grid.top - grid.bottom };
  const px = (x: number) => plot.x + ((x - input.xMin) / (input.xMax - input.xMin)) * plot.w;
  const py = (y: number) => plot.y + ((input.yMax - y) / (input.yMax - input.yMin)) * plot.h;
  const markers = input.groups.flatMap((g) => g.points.map((p) => ({ x: px(p.x) - MARKER / 2 - 1, y: py(p.y) - MARKER / 2 - 1, w: MARKER + 2, h: MARKER + 2 })));
  const titles = new Map<string, string>();
  const texts = input.groups.map((g) =>
    g.points.map((p) => {
      const short = fitText(p.label ?? '', 130, SCATTER_FONT);
      if (short !== p.label && p.label) titles.set(short, p.label);
      return short;
    }),
  );
  const anchors = input.groups.flatMap((g, gi) => (g.labelled ? g.points.map((p, pi) => ({ gi, pi, x: px(p.x), y: py(p.y), w: textWidth(texts[gi][pi], SCATTER_FONT), h: lineHeight(SCATTER_FONT) })) : []));
  // Labels may use the margin above the plot (below the legend), never the axes' own labels.
  const spots = placeLabels(anchors, markers, { x: 2, y: legendH + 2, w: width - 4, h: plot.y + plot.h + 4 - (legendH + 2) });
  const spotOf = new Map(anchors.map((a, i) => [`${a.gi}:${a.pi}`, { a, spot: spots[i]?.box }]));
  const leaders = anchors.flatMap((a, i) => {
    const spot = spots[i];
    if (!spot?.leader) return [];
    const [x2, y2] = nearestOn(spot.box, a.x, a.y);
    const d = Math.hypot(x2 - a.x, y2 - a.y) || 1;
    const start = (MARKER / 2 + 1) / d;
    return [{ type: 'line', silent: true, shape: { x1: a.x + (x2 - a.x) * start, y1: a.y + (y2 - a.y) * start, x2, y2 }, style: { stroke: MUTED, lineWidth: 0.8 } }];
  });
  const refs = [...(input.xRefs ?? []).map((x) => ({ xAxis: x })), ...(input.yRefs ?? []).map((y) => ({ yAxis: y }))];
  return {
    title: input.title,
    width,
    height,
    titles,
    option: {
      grid,
      graphic: leaders as never,
      legend: { top: 4, left: 8, right: 8, data: input.groups.map((g) => g.name), textStyle: { fontFamily: FONT_STACK, color: MUTED, fontSize: AXIS_FONT } },
      xAxis: { type: 'value', name: input.xName, nameLocation: 'middle', nameGap: 8 + lh + 8, min: input.xMin, max: input.xMax, axisLabel: { ...AXIS_LABEL, fontSize: AXIS_FONT }, splitLine: SPLIT_LINE },
      yAxis: { type: 'value', name: input.yName, nameLocation: 'middle', nameGap: yNameGap, min: input.yMin, max: input.yMax, axisLabel: { ...AXIS_LABEL, fontSize: AXIS_FONT }, splitLine: SPLIT_LINE },
      series: input.groups.map((group, gi) => ({
        type: 'scatter' as const,
        name: group.name,
        symbol: seriesSymbol(gi),
        symbolSize: MARKER,
        itemStyle: { color: seriesColour(gi), opacity: 0.85 },
        data: group.points.map((p, pi) => {
          const placed = spotOf.get(`${gi}:${pi}`);
          const spot = placed?.spot;
          // A label's position is relative to its marker's top-left corner.
          const label = spot
            ? { show: true, position: [spot.x - (placed!.a.x - MARKER / 2), spot.y - (placed!.a.y - MARKER / 2)], align: 'left' as const, verticalAlign: 'top' as const, lineHeight: spot.h }
            : { show: false };
          return { value: [p.x, p.y], name: texts[gi][pi], label };
        }),
        label: { fontSize: SCATTER_FONT, color: MUTED, formatter: (p: { name: string }) => p.name },
        markLine:
          gi === 0 && refs.length > 0
            ? { silent: true, symbol: 'none', label: { show: false }, lineStyle: { color: MUTED, type: 'dotted' }, data: refs }
            : undefined,
      })),
    },
  };
}
