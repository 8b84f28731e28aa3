/**
 * Server-side chart rendering: ECharts' SSR SVG renderer turns an option into an SVG string
 * that is inlined in the page, so the report needs no script and no network to show charts.
 */
import type { EChartsOption } from 'echarts';
import * as echarts from 'echarts/core';
import { CustomChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import { GraphicComponent, GridComponent, LegendComponent, MarkLineComponent, VisualMapComponent } from 'echarts/components';
import { LabelLayout, LegacyGridContainLabel } from 'echarts/features';
import { SVGRenderer } from 'echarts/renderers';
import { escapeHtml } from '../escape.js';
import { INK } from './theme.js';
import { measureFont } from './measure.js';

export type ChartOption = EChartsOption;

// ECharts lays out labels with these widths (legend wrapping, label overlap, grid margins):
// without a canvas it would assume narrower glyphs than most browsers draw.
echarts.setPlatformAPI({ measureText: measureFont });

// Only what the report draws: every registered component type is visited on each setOption,
// so the full bundle makes each of the report's ~40 charts markedly slower to build.
echarts.use([LineChart, HeatmapChart, ScatterChart, CustomChart, GraphicComponent, GridComponent, LegendComponent, MarkLineComponent, VisualMapComponent, LabelLayout, LegacyGridContainLabel, SVGRenderer]);

export interface ChartSpec {
  option: ChartOption;
  width: number;
  height: number;
  /** Accessible name of the chart (screen readers, tooltips): what it shows, in one line. */
  title: string;
  /** Labels cut to fit (shown text -> full text): each such label gets its full text as tooltip. */
  titles?: Map<string, string>;
}

/** Renders one chart to an inline SVG element, animation off, labelled for assistive technology. */
export function renderChart(spec: ChartSpec): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: spec.width, height: spec.height });
  try {
    chart.setOption({
      animation: false,
      textStyle: { color: INK, fontSize: 12 },
      ...spec.option,
    });
    const svg = withTooltips(chart.renderToSVGString(), spec.titles);
    // Name the chart; the page's stylesheet scales it down on narrow screens (viewBox kept).
    const name = escapeHtml(spec.title);
    return svg.replace(/^<svg /, `<svg class="chart" role="img" aria-label="${name}" `).replace('>', `><title>${name}</title>`);
  } finally {
    chart.dispose();
  }
}

/** Gives every label cut to fit a <title> child with its full text, shown on hover. */
function withTooltips(svg: string, titles: Map<string, string> | undefined): string {
  if (!titles || titles.size === 0) return svg;
  return svg.replace(/(<text\b[^>]*>)([^<]*)(<\/text>)/g, (whole, open: string, text: string, close: string) => {
    const full = titles.get(unescapeXml(text));
    return full === undefined ? whole : `${open}<title>${escapeHtml(full)}</title>${text}${close}`;
  });
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|#39|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", amp: '&' })[e]!);
}
