/**
 * The few chart shapes the report uses, as pure functions from data to a ChartSpec:
 * intervals (mean with CI), curves with CI bands, labelled heatmaps and labelled scatters.
 * Every value is also printed as a label, so colour is never the only carrier of meaning.
 */
import type { ChartSpec } from './render.js';
import { CHART_FONT_STACK as FONT_STACK, DIVERGING, GRID, HUMAN_SYMBOL, MODEL_SYMBOL, MUTED, SEQUENTIAL, seriesColour, seriesSymbol } from './theme.js';

const AXIS_LABEL = { color: MUTED, fontFamily: FONT_STACK };
const SPLIT_LINE = { lineStyle: { color: GRID } };

export function fmt(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

/** Shortens long labels on axes; the full text stays in the tables beside the chart. */
function shorten(label: string, max = 28): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
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
  const height = Math.max(140, 60 + rows.length * 26);
  const whiskers = rows.map((r, i) => (r.lo === null || r.hi === null ? [i, null, null] : [i, r.lo, r.hi]));
  return {
    title: input.title,
    width: input.width ?? 760,
    height,
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
        data: rows.map((r) => shorten(r.label) + (r.human ? ' ▲' : '')),
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
          label: { show: true, position: 'top', distance: 3, fontSize: 11, formatter: (p) => fmt((p.value as number[])[0]), color: MUTED },
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
}

export interface Curve {
  name: string;
  points: CurvePoint[];
  human?: boolean;
  /** The level where the slope changes (the knee), marked with a vertical line. */
  knee?: number | null;
}

/** Lines over ordered levels with a shaded CI band per line, and knees marked by labelled vertical lines. */
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
  /** Labels under the x axis, e.g. "3\n(n=30)". */
  levelLabels?: string[];
}): ChartSpec {
  const categories = input.levels.map(String);
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
    series.push({
      type: 'line',
      name: curve.name,
      symbol: curve.human ? HUMAN_SYMBOL : seriesSymbol(index),
      symbolSize: 8,
      color: colour,
      lineStyle: { color: colour, width: 2, type: curve.human ? 'dashed' : 'solid' },
      itemStyle: { color: colour },
      label: input.curves.length === 1 ? { show: true, position: 'top', formatter: (p: { value: unknown }) => fmt(p.value as number) } : undefined,
      data: input.levels.map((l) => at(l)?.value ?? null),
      markLine:
        curve.knee === null || curve.knee === undefined
          ? undefined
          : {
              silent: true,
              symbol: 'none',
              lineStyle: { color: colour, type: 'dashed', width: 1.5 },
              // Above the plot, stacked when several curves share a knee, so it never covers a value label.
              label: {
                formatter: `knee ${curve.knee}`,
                position: 'end',
                distance: 3 + 14 * input.curves.slice(0, index).filter((c) => c.knee === curve.knee).length,
                color: colour,
              },
              data: [{ xAxis: String(curve.knee) }],
            },
    });
  });
  const named = input.curves.length > 1;
  return {
    title: input.title,
    width: input.width ?? 760,
    height: input.height ?? 320,
    option: {
      grid: { left: 8, right: 24, top: named ? 72 : 36, bottom: input.levelLabels ? 58 : 48, containLabel: true },
      legend: named
        ? { top: 0, data: input.curves.map((c) => c.name), textStyle: { fontFamily: FONT_STACK, color: MUTED } }
        : undefined,
      xAxis: {
        type: 'category',
        data: categories,
        // Levels sit in the middle of their band, so labels at the first level never meet the y axis labels.
        boundaryGap: true,
        name: input.xName,
        nameLocation: 'middle',
        nameGap: input.levelLabels ? 46 : 26,
        axisLabel: {
          ...AXIS_LABEL,
          lineHeight: 15,
          formatter: input.levelLabels ? (_v: string, i: number) => input.levelLabels![i] ?? categories[i] : undefined,
        },
      },
      yAxis: {
        type: 'value',
        name: input.yName,
        min: input.min,
        max: input.max,
        axisLabel: AXIS_LABEL,
        splitLine: SPLIT_LINE,
      },
      series: series as never,
    },
  };
}

// ---------------------------------------------------------------------------------------

/** A labelled heatmap: every cell prints its value; the colour only repeats it. */
export function heatmapChart(input: {
  title: string;
  xLabels: string[];
  yLabels: string[];
  /** [x index, y index, value, label?]: the colour follows value, the cell prints label (or the value). Null values are empty cells "–". */
  cells: [number, number, number | null, string?][];
  scale: 'sequential' | 'diverging';
  min: number;
  max: number;
  digits?: number;
  xName?: string;
  yName?: string;
  width?: number;
  cellHeight?: number;
}): ChartSpec {
  const rows = input.yLabels.length;
  const height = Math.max(160, 90 + rows * (input.cellHeight ?? 26));
  // White text on the dark ends of the scale, near-black elsewhere.
  const darkCell = (v: number) => {
    const t = (Math.max(input.min, Math.min(input.max, v)) - input.min) / (input.max - input.min || 1);
    return input.scale === 'diverging' ? Math.abs(t - 0.5) > 0.3 : t > 0.55;
  };
  const digits = input.digits ?? 0;
  return {
    title: input.title,
    width: input.width ?? Math.max(480, Math.min(1100, 220 + input.xLabels.length * 64)),
    height,
    option: {
      grid: { left: 24, right: 16, top: 8, bottom: 64, containLabel: true },
      xAxis: {
        type: 'category',
        data: input.xLabels.map((l) => shorten(l, 22)),
        name: input.xName,
        nameLocation: 'middle',
        nameGap: 48,
        axisLabel: { ...AXIS_LABEL, interval: 0, rotate: input.xLabels.length > 8 ? 30 : 0 },
        splitArea: { show: false },
      },
      yAxis: {
        type: 'category',
        data: input.yLabels.map((l) => shorten(l, 32)),
        name: input.yName,
        inverse: true,
        axisLabel: { ...AXIS_LABEL, interval: 0 },
      },
      visualMap: {
        show: false,
        min: input.min,
        max: input.max,
        dimension: 2,
        inRange: { color: [...(input.scale === 'diverging' ? DIVERGING : SEQUENTIAL)] },
      },
      series: [
        {
          type: 'heatmap',
          data: input.cells.map(([x, y, v, label]) =>
            v === null
              ? { value: [x, y, '-'], name: label ?? '–', itemStyle: { color: '#ffffff' } }
              : { value: [x, y, v], name: label ?? fmt(v, digits), label: { color: darkCell(v) ? '#ffffff' : '#111111' } },
          ),
          label: {
            show: true,
            fontSize: 11,
            formatter: (p: { name: string }) => p.name,
            color: '#111111',
          },
          itemStyle: { borderColor: '#ffffff', borderWidth: 1 },
        },
      ],
    },
  };
}

// ---------------------------------------------------------------------------------------

export interface ScatterGroup {
  name: string;
  points: { x: number; y: number; label?: string }[];
}

/** Scatter with one marker shape and colour per group, and a legend naming the groups. */
export function scatterChart(input: {
  title: string;
  groups: ScatterGroup[];
  xName: string;
  yName: string;
  xMin?: number;
  xMax?: number;
  yMin?: number;
  yMax?: number;
  width?: number;
  height?: number;
  /** Reference lines: vertical at x values, horizontal at y values. */
  xRefs?: number[];
  yRefs?: number[];
}): ChartSpec {
  const refs = [...(input.xRefs ?? []).map((x) => ({ xAxis: x })), ...(input.yRefs ?? []).map((y) => ({ yAxis: y }))];
  return {
    title: input.title,
    width: input.width ?? 760,
    height: input.height ?? 360,
    option: {
      grid: { left: 32, right: 24, top: 40, bottom: 48, containLabel: true },
      legend: { top: 0, data: input.groups.map((g) => g.name), textStyle: { fontFamily: FONT_STACK, color: MUTED } },
      xAxis: { type: 'value', name: input.xName, nameLocation: 'middle', nameGap: 28, min: input.xMin, max: input.xMax, axisLabel: AXIS_LABEL, splitLine: SPLIT_LINE },
      yAxis: { type: 'value', name: input.yName, min: input.yMin, max: input.yMax, axisLabel: AXIS_LABEL, splitLine: SPLIT_LINE },
      series: input.groups.map((group, index) => ({
        type: 'scatter' as const,
        name: group.name,
        symbol: seriesSymbol(index),
        symbolSize: 8,
        itemStyle: { color: seriesColour(index), opacity: 0.85 },
        data: group.points.map((p) => ({ value: [p.x, p.y], name: p.label })),
        label: { show: group.points.length <= 40 && index > 0, position: 'right', fontSize: 10, color: MUTED, formatter: (p: { name: string }) => shorten(p.name ?? '', 18) },
        markLine:
          index === 0 && refs.length > 0
            ? { silent: true, symbol: 'none', label: { show: false }, lineStyle: { color: MUTED, type: 'dotted' }, data: refs }
            : undefined,
      })),
    },
  };
}
