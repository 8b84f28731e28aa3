/**
 * Every chart of the report, laid out by chromium at desktop and phone widths, obeys the chart
 * rules: no two labels overlap, no label covers a mark, no label is cut at the SVG's edge, every
 * heatmap cell carries its n and empty cells carry the no-data pattern. Three reports: the
 * demo run, a deliberately hard evaluation (long Chinese and English names, many topics and
 * respondents, empty cells) and a single respondent.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInChromium, type OpenedPage } from '../helpers/browser.js';
import { chartLayout, type ChartLayout } from '../helpers/chart-layout.js';
import { runDemo } from '../../src/demo/demo.js';
import { buildReport } from '../../src/report/build.js';
import { analyze } from '../../src/analysis/analyze.js';
import { bankFromFile } from '../../src/bank/bank.js';
import { BankFile } from '../../src/schema/bank.js';
import type { Results } from '../../src/schema/results.js';
import { bankInput, makeEvaluation, makeResults } from './fixture.js';

const LONG_TOPICS = [
  'staging/ 非小细胞肺癌的TNM分期与纵隔淋巴结评估（含EBUS-TBNA）',
  'treatment/early-stage-resectable-disease-after-multidisciplinary-review',
  'treatment/ 局部晚期不可切除III期同步放化疗后度伐利尤单抗巩固治疗',
  'treatment/metastatic/EGFR-ALK-ROS1-driver-positive-first-line-and-resistance',
  'complication/ 免疫检查点抑制剂相关肺炎的分级与激素处理',
  'complication/surgery/bronchopleural-fistula',
  'follow-up/ 术后随访影像学复查间隔与脑MRI',
  'palliative-care/ 晚期患者的疼痛管理与安宁疗护沟通',
  'screening/low-dose-CT-eligibility-and-nodule-management-Lung-RADS',
  'pathology/ PD-L1表达检测与分子病理报告解读',
  'radiotherapy/SBRT-for-medically-inoperable-stage-I',
  'supportive/ 化疗相关恶心呕吐与骨髓抑制的预防',
];

const LONG_NAMES: Record<string, string> = {
  'vendor-a': 'qwen2.5-72b-instruct-medical-finetune-2026-03-preview',
  'vendor-b': '华西医院胸部肿瘤科大模型-第三版-长上下文',
  'vendor-c': 'gpt-4o-2024-11-20 (azure east-us deployment)',
  'dr-li': '李主任医师（胸外科，二十年临床经验）',
};

/** Many respondents with long bilingual names and many long topics; one doctor answered only some clean items. */
function hardResults(): Results {
  const input = bankInput(72);
  input.items.forEach((item, i) => {
    item.topic = LONG_TOPICS[i % LONG_TOPICS.length];
  });
  const bank = bankFromFile(BankFile.parse(input), { files: ['bank.yaml'], hash: 'e'.repeat(64) });
  const evaluation = makeEvaluation({ items: 72, respondents: 14, bank });
  // The doctor answered a third of the items and no distraction: empty cells in several charts.
  const keep = (s: { respondent: string; variant: string; item: string }) => s.respondent !== 'dr-li' || (s.variant === 'clean' && Number(s.item.slice(3)) % 3 === 0);
  const results = analyze({
    bank,
    scores: evaluation.scores.filter(keep),
    responses: evaluation.responses.filter(keep),
    options: { bootstrap: 200, generatedAt: '2026-01-01T00:00:00.000Z', runs: [{ id: 'run-hard', status: 'complete', respondents: [...new Set(evaluation.scores.map((s) => s.respondent))] }] },
  });
  let json = JSON.stringify(results);
  for (const [short, long] of Object.entries(LONG_NAMES)) json = json.replaceAll(`"${short}`, `"${long}`).replaceAll(`${short}|`, `${long}|`);
  return JSON.parse(json) as Results;
}

const WIDTHS = { desktop: 1280, phone: 390 } as const;

describe('chart rules in a browser', () => {
  let dir: string;
  let opened: OpenedPage;
  const reports = new Map<string, string>();
  const layouts = new Map<string, ChartLayout[]>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caps-chart-layout-'));
    const demo = await runDemo({ out: join(dir, 'demo') });
    const fixtures: [string, Results][] = [
      ['demo', demo.results],
      ['hard', hardResults()],
      ['single', makeResults({ items: 12, respondents: 1, bootstrap: 100 })],
    ];
    for (const [name, results] of fixtures) {
      const { files } = await buildReport({ results, outDir: join(dir, name), formats: ['html'] });
      reports.set(name, pathToFileURL(files[0]).href);
    }
    opened = await openInChromium(reports.get('demo')!, dir);
    const out = join(process.cwd(), 'test-output');
    mkdirSync(out, { recursive: true });
    for (const [name, url] of reports) {
      for (const [view, width] of Object.entries(WIDTHS)) {
        await opened.page.setViewportSize({ width, height: 900 });
        await opened.page.goto(url, { waitUntil: 'load' });
        layouts.set(`${name}@${view}`, await chartLayout(opened.page));
        if (name !== 'single') await screenshots(name, view, out);
      }
    }
    writeFileSync(join(out, 'chart-layout.json'), JSON.stringify(Object.fromEntries(layouts), null, 1));
  }, 120_000);

  async function screenshots(name: string, view: string, out: string): Promise<void> {
    const page = opened.page;
    for (const section of ['evidence', 'pairs', 'depth', 'quality']) {
      const figure = page.locator(`#${section} figure`).first();
      if ((await figure.count()) === 0) continue;
      await figure.screenshot({ path: join(out, `chart-${name}-${section}-${view}.png`) });
    }
  }

  afterAll(async () => {
    await opened?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens every report without a console error', () => {
    expect(opened.consoleErrors).toEqual([]);
  });

  for (const name of ['demo', 'hard', 'single']) {
    for (const view of Object.keys(WIDTHS)) {
      it(`${name} report at ${view} width: every chart is drawn and no label overlaps, covers a mark or is cut`, () => {
        const charts = layouts.get(`${name}@${view}`)!;
        expect(charts.length).toBeGreaterThan(name === 'single' ? 3 : 10);
        expect(charts.every((c) => c.texts > 0)).toBe(true);
        expect(charts.flatMap((c) => c.problems)).toEqual([]);
      });
    }
  }
});
