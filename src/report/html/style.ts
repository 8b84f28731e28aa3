/** The report stylesheet: system fonts with CJK fallbacks, print-friendly, readable without colour. */
import { FONT_STACK } from '../charts/theme.js';

export const STYLE = `
:root { --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa; --good: #0b6e4f; --good-bg: #d9f2e6; --bad: #a33b00; --bad-bg: #ffe2cc; }
* { box-sizing: border-box; }
body { margin: 0; font-family: ${FONT_STACK}; color: var(--ink); background: #fff; line-height: 1.5; font-size: 15px; }
header.report-head { padding: 24px 32px 8px; border-bottom: 1px solid var(--line); }
header.report-head h1 { margin: 0 0 4px; font-size: 26px; }
header.report-head p { margin: 2px 0; color: var(--muted); }
nav.toc { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid var(--line); padding: 6px 32px; font-size: 14px; display: flex; align-items: baseline; overflow-x: auto; }
nav.toc label { margin-left: auto; white-space: nowrap; padding-left: 12px; }
nav.toc a { margin-right: 14px; color: #0550ae; text-decoration: none; white-space: nowrap; }
nav.toc a:hover, nav.toc a:focus { text-decoration: underline; }
main { padding: 0 32px 48px; max-width: 1280px; }
section { margin-top: 36px; }
h2 { font-size: 21px; margin: 0 0 6px; border-bottom: 2px solid var(--ink); padding-bottom: 4px; }
h3 { font-size: 17px; margin: 20px 0 6px; }
h4 { font-size: 15px; margin: 14px 0 4px; }
p.explain { color: var(--muted); max-width: 900px; margin: 4px 0 12px; }
p.note { color: var(--muted); font-style: italic; }
.warnings { background: #fff8c5; border: 1px solid #d4a72c; padding: 8px 16px; margin-top: 16px; }
.notes { background: #ddf4ff; border: 1px solid #54aeff; padding: 8px 16px; margin-top: 16px; }
figure { margin: 12px 0 20px; }
figcaption { color: var(--muted); font-size: 13px; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg.chart text { font-family: ${FONT_STACK} !important; }
.table-wrap { overflow-x: auto; margin: 8px 0 16px; }
.index-wrap { max-height: 480px; overflow-y: auto; border: 1px solid var(--line); }
table { border-collapse: collapse; font-size: 13.5px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--soft); position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.selected td { background: #ddf4ff; }
details { margin: 8px 0; }
summary { cursor: pointer; font-weight: 600; }
.multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 16px; }
.multiple { border: 1px solid var(--line); padding: 8px 12px; }
.multiple h3 { margin: 0 0 4px; font-size: 15px; }
.verdict { font-size: 13px; margin: 4px 0 0; }
.verdict.knee { font-weight: 600; }
article.event { border-left: 4px solid var(--bad); background: #fffaf6; padding: 6px 12px; margin: 8px 0; }
article.event.safety-deduction { border-left-color: #8c6d00; background: #fffdf2; }
.badge { display: inline-block; font-size: 12px; font-weight: 700; padding: 0 6px; border: 1px solid var(--bad); color: var(--bad); border-radius: 3px; margin-left: 6px; }
article.event .badge { margin-left: 0; }
.badge.zero { border-color: var(--muted); color: var(--muted); }
.rule { margin: 4px 0; }
.rule-id, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
blockquote { margin: 4px 0 4px 8px; padding: 2px 10px; border-left: 3px solid var(--line); white-space: pre-wrap; }
label.filter { display: inline-block; margin: 8px 0; }
label.filter input, label.filter select { margin-left: 6px; padding: 4px 6px; font: inherit; }
.panel { border: 2px solid var(--ink); padding: 12px 16px; margin-top: 16px; }
pre { white-space: pre-wrap; word-break: break-word; font-family: inherit; margin: 4px 0; }
pre.prompt { background: var(--soft); padding: 8px 10px; }
pre.answer { border: 1px solid var(--line); padding: 8px 10px; }
.answer-more { display: flex; gap: 8px; align-items: baseline; margin: 4px 0 0; }
mark.hit-point { background: var(--good-bg); color: var(--good); border-bottom: 2px solid var(--good); }
mark.hit-bad { background: var(--bad-bg); color: var(--bad); border-bottom: 2px dashed var(--bad); }
.answer-card { border-top: 1px solid var(--line); padding: 10px 0; }
.answer-card header { display: flex; flex-wrap: wrap; gap: 10px; align-items: baseline; }
.answer-card .score { color: var(--muted); }
.answer-card.focus { outline: 3px solid #0969da; outline-offset: 4px; }
mark.focus { outline: 3px solid #0969da; }
ul.verdicts, ul.rubric { list-style: none; padding: 0; margin: 6px 0; font-size: 13.5px; }
ul.verdicts li, ul.rubric li { padding: 2px 0; display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; }
.symbol { width: 1.2em; font-weight: 700; }
li.met.point .symbol { color: var(--good); }
li.met:not(.point) .symbol { color: var(--bad); }
.kind { font-size: 12px; color: var(--muted); min-width: 64px; }
.meta { color: var(--muted); font-size: 12.5px; }
.rationale { color: var(--muted); font-style: italic; flex-basis: 100%; padding-left: 2em; }
q { background: var(--soft); padding: 0 4px; }
footer { color: var(--muted); font-size: 13px; padding: 16px 32px; border-top: 1px solid var(--line); }
/* Phones: the page never scrolls sideways; the navigation, wide tables and each chart scroll inside their own box, charts at their drawn size so labels stay readable. */
@media (max-width: 640px) {
  header.report-head, footer { padding-left: 12px; padding-right: 12px; }
  nav.toc { padding: 6px 12px; }
  main { padding: 0 12px 32px; }
  figure { overflow-x: auto; margin-left: 0; margin-right: 0; }
  figure svg.chart { max-width: none; }
  .multiples { grid-template-columns: 1fr; }
  .multiple { overflow-x: auto; }
  .multiple svg.chart { max-width: none; }
  p.explain, .notes, .warnings { overflow-wrap: anywhere; }
}
@media print { nav.toc { position: static; } .index-wrap { max-height: none; } }
`;
