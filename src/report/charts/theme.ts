/**
 * Colours and fonts shared by every chart and the page. The series palette is Okabe-Ito
 * (distinguishable with the common colour-vision deficiencies); charts also vary marker
 * shapes and print labels so that no reading relies on colour alone.
 */

/** Okabe-Ito, ordered so that the first colours contrast best on white (yellow last). */
export const SERIES_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'] as const;

/** Marker shapes cycled with the colours so series also differ by shape (the triangle, and shapes that look like it, are kept for doctors). */
export const SERIES_SYMBOLS = ['circle', 'rect', 'diamond', 'roundRect', 'emptyCircle', 'emptyRect'] as const;

/** Human respondents (doctors) are drawn with one fixed shape so they stand out from models. */
export const HUMAN_SYMBOL = 'triangle';
export const MODEL_SYMBOL = 'circle';

/** Sequential scale (light to dark blue), readable with every colour-vision deficiency. */
export const SEQUENTIAL = ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'] as const;

/** Diverging scale for signed differences: orange (worse) to white to blue (better). */
export const DIVERGING = ['#b35806', '#f1a340', '#fee0b6', '#f7f7f7', '#d8daeb', '#998ec3', '#542788'] as const;

export const INK = '#1f2328';
export const MUTED = '#57606a';
export const GRID = '#d0d7de';

/** System fonts with CJK fallbacks: Chinese and English render offline on every platform. */
export const FONT_STACK =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif';

/**
 * The same stack without quotes, for chart text: ECharts writes it into a double-quoted
 * style attribute unescaped, and unquoted multi-word family names are valid CSS.
 */
export const CHART_FONT_STACK = FONT_STACK.replace(/"/g, '');

export function seriesColour(index: number): string {
  return SERIES_COLOURS[index % SERIES_COLOURS.length];
}

export function seriesSymbol(index: number): string {
  return SERIES_SYMBOLS[index % SERIES_SYMBOLS.length];
}
