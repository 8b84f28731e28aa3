/** The self-contained HTML report: one file, no network access, charts inlined as SVG. */
import { createHash } from 'node:crypto';
import type { Results } from '../../schema/results.js';
import { escapeHtml, jsonForScript } from '../escape.js';
import { CLIENT_SCRIPT } from './client.js';
import { STYLE } from './style.js';
import { el, join, raw, type Html } from './markup.js';
import { leaderboardSection, pairsSection, profileSection } from './sections/leaderboard.js';
import { depthSection, humansSection } from './sections/depth.js';
import { distractionSection } from './sections/distraction.js';
import { evidenceSection } from './sections/evidence.js';
import { safetySection } from './sections/safety.js';
import { coverageSection, qualitySection } from './sections/bank.js';
import { drilldownSection } from './sections/drilldown.js';
import { provenanceSection } from './sections/provenance.js';
import { nativeSection } from './sections/native.js';
import { usageSection } from './sections/usage.js';

const SCRIPT_HASH = createHash('sha256').update(CLIENT_SCRIPT, 'utf8').digest('base64');

/**
 * A constant without double quotes, so it is written into the attribute as is.
 * No network of any kind: everything defaults to 'none'; styles are inline (ECharts writes
 * style attributes), images may only be data: URLs, and the one script runs by its hash.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${SCRIPT_HASH}'`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const SECTIONS: { id: string; title: string }[] = [
  { id: 'leaderboard', title: 'Leaderboard' },
  { id: 'native', title: 'Native headline' },
  { id: 'pairs', title: 'Comparisons' },
  { id: 'profile', title: 'Four axes' },
  { id: 'depth', title: 'Depth & knee' },
  { id: 'distraction', title: 'Distraction' },
  { id: 'evidence', title: 'Evidence' },
  { id: 'safety', title: 'Safety' },
  { id: 'doctors', title: 'Doctors' },
  { id: 'coverage', title: 'Coverage' },
  { id: 'quality', title: 'Item quality' },
  { id: 'provenance', title: 'Provenance' },
  { id: 'drilldown', title: 'Items' },
];

function headerBlock(results: Results): Html {
  const bank = results.bank;
  const runs = results.runs.map((r) => `${r.id}${r.status ? ` (${r.status})` : ''}`).join(', ');
  const respondents = results.respondents;
  const doctors = respondents.filter((r) => r.kind === 'human').length;
  const s = results.settings;
  return el(
    'header',
    { class: 'report-head' },
    el('h1', {}, `CAPS evaluation report — ${bank.id} v${bank.version}`),
    el(
      'p',
      {},
      `${bank.items} items (${bank.variants} distraction variants), depth ${bank.depth_min}–${bank.depth_max}, scoring profile ${bank.profile}; ` +
        `${respondents.length - doctors} model(s) and ${doctors} doctor(s).`,
    ),
    el('p', {}, `Runs: ${runs || '–'}. Bank hash ${bank.hash.slice(0, 12)}.`),
    el(
      'p',
      {},
      `Scores 0–100 (${s.score_field}); ${Math.round(s.confidence * 100)}% intervals from ${s.bootstrap_b} bootstrap replicates, seed ${s.seed}; ` +
        `acceptable answer: score ≥ ${s.acceptable_threshold}. Generated ${results.generated_at} by caps-eval ${results.harness_version}.`,
    ),
  );
}

/** The machine-readable summary embedded in the page (the full object is results.json). */
function summaryBlock(results: Results): string {
  const summary = { bank: results.bank, settings: results.settings, leaderboard: results.leaderboard.rows };
  return `<script type="application/json" id="caps-summary">${jsonForScript(summary)}</script>`;
}

export type ReportLanguage = 'zh' | 'en';

/** The language switch: the reader's choice is kept in the URL (#...?lang=en); `language` is the default. */
function languageSwitch(language: ReportLanguage): string {
  const option = (value: ReportLanguage, label: string) => `<option value="${value}"${value === language ? ' selected' : ''}>${label}</option>`;
  return `<label>Language <select id="report-language" aria-label="Language of prompts and rubric texts">${option('zh', '中文')}${option('en', 'English')}</select></label>`;
}

export interface HtmlFrameOptions {
  /** Language the report opens in (default: the bank's). */
  language?: ReportLanguage;
  /** distractedItems(results), when `results` comes without its items. */
  distractedItems?: ReadonlyMap<string, number>;
}

/**
 * The page around its drill-down section: everything but the item index and the items' blocks.
 * It reads the items only through `distractedItems`, so it can be drawn from results without
 * them (in a worker thread, to which copying 30,000 answers would cost more than the charts).
 */
export function renderHtmlFrame(results: Results, options: HtmlFrameOptions = {}): HtmlFrame {
  const language: ReportLanguage = options.language ?? (results.bank.language === 'en' ? 'en' : 'zh');
  const links = SECTIONS.filter((s) => (s.id !== 'native' || results.native) && (s.id !== 'provenance' || results.provenance || results.bank.statuses))
    .map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`)
    .join('');
  const nav = raw(`<nav class="toc" aria-label="Sections">${links}${languageSwitch(language)}</nav>`);
  const warnings =
    results.warnings.length > 0
      ? el('div', { class: 'warnings', role: 'note' }, el('strong', {}, 'Data warnings'), el('ul', {}, join(results.warnings.map((w) => el('li', {}, w)))))
      : raw('');
  const notes =
    results.notes.length > 0
      ? el('div', { class: 'notes', role: 'note' }, el('strong', {}, 'About these results'), el('ul', {}, join(results.notes.map((n) => el('li', {}, n)))))
      : raw('');
  const body = join([
    leaderboardSection(results),
    nativeSection(results),
    pairsSection(results),
    profileSection(results, options.distractedItems),
    depthSection(results),
    distractionSection(results),
    evidenceSection(results),
    safetySection(results),
    humansSection(results),
    coverageSection(results),
    qualitySection(results),
    usageSection(results),
    provenanceSection(results),
  ]);
  const before = `<!DOCTYPE html>
<html lang="en" data-default-language="${language}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="caps-eval ${escapeHtml(results.harness_version)}">
<title>${escapeHtml(`CAPS report — ${results.bank.id}`)}</title>
<style>${STYLE}</style>
</head>
<body>
${headerBlock(results).value}
${nav.value}
<main>
${notes.value}
${warnings.value}
${body.value}`;
  const after = `
</main>
<footer>Every answer is shown as given: text from models is never interpreted as markup. Full results: results.json; per-answer and per-verdict tables: answers.csv, verdicts.csv.</footer>
${summaryBlock(results)}
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
  return { before, after };
}

/** The page before and after its drill-down section. */
export interface HtmlFrame {
  before: string;
  after: string;
}

/** The whole page as one string, drawn in this thread. */
export function renderHtml(results: Results, options: { language?: ReportLanguage } = {}): string {
  const frame = renderHtmlFrame(results, options);
  return frame.before + drilldownSection(results).value + frame.after;
}
