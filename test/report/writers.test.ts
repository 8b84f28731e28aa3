/** The report writers without a browser: escaping, CSV, Markdown, JSON, and what the HTML may contain. */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript } from '../../src/report/escape.js';
import { csvField, csvTable, answersCsv, verdictsCsv, BOM } from '../../src/report/csv.js';
import { mdCell, renderMarkdown } from '../../src/report/markdown.js';
import { buildReport, parseFormats } from '../../src/report/build.js';
import { CLIENT_SCRIPT } from '../../src/report/html/client.js';
import { renderHtml } from '../../src/report/html/page.js';
import { inThisThread, type HtmlFrameRenderer } from '../../src/report/html/frame-renderer.js';
import { el } from '../../src/report/html/markup.js';
import { UserError } from '../../src/errors.js';
import { resultsJsonChunks } from '../../src/report/results-json.js';
import { writeChunksAtomic } from '../../src/report/stream-file.js';
import { clearSecrets, registerSecret } from '../../src/io/redact.js';
import { Results } from '../../src/schema/results.js';
import { makeResults, PLANTED, PLANTED_ITEM } from './fixture.js';

describe('escaping', () => {
  it('escapes the five HTML-significant characters and nothing else', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a> 中文`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt; 中文');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(12)).toBe('12');
  });

  it('embeds JSON that cannot close its script element and reads back unchanged', () => {
    const value = { text: '</script><script>alert(1)</script><!-- & \u2028\u2029 end' };
    const embedded = jsonForScript(value);
    expect(embedded).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(embedded)).toEqual(value);
  });

  it('escapes text and attributes in built elements', () => {
    expect(el('a', { href: '#x"onclick="y', hidden: true, skip: undefined }, '<b>').value).toBe('<a href="#x&quot;onclick=&quot;y" hidden>&lt;b&gt;</a>');
  });
});

describe('CSV', () => {
  it('quotes by RFC 4180 and neutralises spreadsheet formulas in text', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "no"\nthen')).toBe('"say ""no""\nthen"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-3 points')).toBe("'-3 points");
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvTable(['a', 'b'], [[1, '中文']])).toBe(`${BOM}a,b\r\n1,中文\r\n`);
  });
});

describe('Markdown', () => {
  it('escapes table syntax in cells', () => {
    expect(mdCell('a|b *c* <x>\nd')).toBe('a\\|b \\*c\\* \\<x\\> d');
  });
});

describe('report files', () => {
  let dir: string;
  let results: Results;
  let files: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caps-report-writers-'));
    results = makeResults({ items: 20, respondents: 4, bootstrap: 200 });
    ({ files } = await buildReport({ results, outDir: join(dir, 'out'), formats: ['html', 'md', 'csv', 'json'] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every format and a results.json that its schema accepts unchanged', () => {
    expect(files.map((f) => f.slice(join(dir, 'out').length + 1))).toEqual(['report.html', 'summary.md', 'answers.csv', 'verdicts.csv', 'results.json']);
    const json = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8'));
    expect(Results.parse(json)).toEqual(results);
  });

  it('writes one CSV row per answer and one per verdict', () => {
    const answers = results.items.flatMap((i) => i.answers);
    const verdicts = answers.flatMap((a) => a.verdicts);
    const answersFile = readFileSync(join(dir, 'out', 'answers.csv'), 'utf8');
    expect(answersFile.startsWith(BOM)).toBe(true);
    expect(answersFile).toBe(answersCsv(results));
    // Answer texts contain newlines inside quoted fields, so count record starts by key instead of lines.
    const keys = answers.map((a) => a.key);
    expect(keys.every((k) => answersFile.includes(`\r\n${k},`))).toBe(true);
    const verdictRows = verdictsCsv(results).split('\r\n').filter(Boolean);
    expect(verdictRows).toHaveLength(verdicts.length + 1);
    expect(answersFile).toContain(`\n${PLANTED.replace(/"/g, '""')}\n"`);
  });

  it('summarises the leaderboard, knee verdicts, distraction and safety in Markdown', () => {
    const md = readFileSync(join(dir, 'out', 'summary.md'), 'utf8');
    expect(md).toBe(renderMarkdown(results));
    for (const row of results.leaderboard.rows) expect(md).toContain(`| ${row.rank} | ${row.respondent}`);
    expect(md).toContain('## Depth knee');
    expect(md).toMatch(/knee at depth 3|no knee established/);
    expect(md).toContain('## Distraction');
    expect(md).toContain('## Safety');
  });

  it('writes HTML that forbids network access, runs only its own script, and embeds answers as data', () => {
    const html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
    const hash = createHash('sha256').update(CLIENT_SCRIPT, 'utf8').digest('base64');
    const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)?.[1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    // Scripts: the data blocks, the summary, and the drill-down script, nothing else.
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.filter((a) => a === '')).toHaveLength(1);
    expect(scripts.filter((a) => !/^( type="application\/(json|octet-stream)".*)?$/.test(a))).toEqual([]);
    expect(html).toContain(`<script>${CLIENT_SCRIPT}</script>`);
    // Nothing is loaded from anywhere.
    expect(html).not.toMatch(/\s(src|srcset|poster|data)=["']?(?!data:)/);
    expect(html).not.toMatch(/@import|url\((?!#)/); // url(#id) is an in-document clip path
    // Chart attributes are well formed (a quote inside a style attribute would end it early).
    expect(html).not.toMatch(/style="[^"]*"[^\s>\/]/);
    expect(html).not.toContain(PLANTED);
    // The item block decodes to the item as analysed.
    const block = html.match(new RegExp(`<script type="application/octet-stream" data-item="${PLANTED_ITEM}">([^<]+)</script>`))?.[1];
    const item = JSON.parse(gunzipSync(Buffer.from(block!, 'base64')).toString('utf8'));
    expect(item).toEqual(results.items.find((i) => i.id === PLANTED_ITEM));
    expect(item.answers.some((a: { text: string | null }) => a.text?.includes(PLANTED))).toBe(true);
  });

  it('shows the native headline of an imported GAPS bank beside the CAPS view', () => {
    const stat = { group: 'overall', examples: 20, unclipped_mean: 0.71, score: 0.7, bootstrap_std: 0.031 };
    const withNative = Results.parse({
      ...results,
      native: { profile: 'gaps', label: 'GAPS: mean of per-example scores, clipped to 0..1.', rows: [{ respondent: 'vendor-a', overall: stat, caps_view: 0.62, groups: [] }] },
    });
    const html = renderHtml(withNative);
    expect(html).toContain('Native gaps headline');
    expect(html).toMatch(/<td class="num">70\.0 ± 3\.1<\/td><td class="num">71\.0<\/td><td class="num">62\.0<\/td>/);
    expect(renderMarkdown(withNative)).toContain('| vendor-a | 20 | 70.0 ± 3.1 | 62.0 |');
    expect(renderHtml(results)).not.toContain('Native ');
  });

  /** This thread's renderer, counting the frames it is asked for. */
  const countingFrames = () => {
    const drawn: string[] = [];
    const frames: HtmlFrameRenderer = { ...inThisThread, render: (...args) => (drawn.push('frame'), inThisThread.render(...args)) };
    return { frames, drawn };
  };

  it('refuses an invalid results object without writing anything or drawing a frame', async () => {
    const out = join(dir, 'invalid');
    const broken = { ...results, leaderboard: { rows: 'nope' } } as unknown as Results;
    const { frames, drawn } = countingFrames();
    await expect(buildReport({ results: broken, outDir: out, formats: ['html'], frames })).rejects.toThrow(UserError);
    expect(existsSync(out)).toBe(false);
    expect(drawn).toEqual([]);
  });

  it('refuses an item whose outline is malformed, naming where', async () => {
    const out = join(dir, 'invalid-item');
    const broken = { ...results, items: [{ ...results.items[0], depth: 'deep' }] } as unknown as Results;
    await expect(buildReport({ results: broken, outDir: out, formats: ['csv'] })).rejects.toThrow(/items\.0\.depth/);
    expect(existsSync(out)).toBe(false);
    // Items made later are checked once made, also by where they are.
    const { frames, drawn } = countingFrames();
    const itemsLater = { items: () => broken.items, distractedItems: new Map<string, number>() };
    await expect(buildReport({ results: { ...results, items: [] }, itemsLater, outDir: out, formats: ['html', 'csv'], frames })).rejects.toThrow(/items\.0\.depth/);
    expect(existsSync(out)).toBe(false);
    expect(drawn).toEqual(['frame']);
    // Items given both ways would be replaced unseen: refused.
    await expect(buildReport({ results, itemsLater, outDir: out, formats: ['csv'] })).rejects.toThrow(/itemsLater must come with their items left empty/);
    expect(existsSync(out)).toBe(false);
  });

  it('streams a large results.json item by item, byte for byte what JSON.stringify writes', () => {
    const compact = [...resultsJsonChunks(results, 0)];
    expect(compact.length).toBeGreaterThan(results.items.length);
    const text = compact.join('');
    expect(text).toBe(JSON.stringify(results) + '\n');
    expect(Results.parse(JSON.parse(text))).toEqual(results);
    // Items shared with another writer come encoded, the same text.
    const seen: string[] = [];
    const shared = [...resultsJsonChunks(results, 0, (item, json) => seen.push(json.bytes.toString('utf8')))];
    expect(shared.map((c) => (typeof c === 'string' ? c : c.text)).join('')).toBe(text);
    expect(seen).toEqual(results.items.map((item) => JSON.stringify(item)));
  });

  it('parses format lists and rejects unknown formats by name', () => {
    expect(parseFormats('html, md,csv')).toEqual(['html', 'md', 'csv']);
    expect(parseFormats(['json', 'json'])).toEqual(['json']);
    expect(() => parseFormats('html,pdf')).toThrow(/unknown report format "pdf"/);
  });
});

describe('streamed files', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'caps-report-stream-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes many chunks in order through backpressure, then renames into place', async () => {
    const chunks = Array.from({ length: 50_000 }, (_, i) => `${i},答案 ${'x'.repeat(i % 300)}\r\n`);
    const path = join(dir, 'big.csv');
    await writeChunksAtomic(path, chunks);
    expect(readFileSync(path, 'utf8')).toBe(chunks.join(''));
    expect(readdirSync(dir)).toEqual(['big.csv']);
  });

  it('writes texts given already encoded as their bytes, small and larger than a batch, and redacts them as any chunk', async () => {
    const encoded = (text: string) => ({ text, bytes: Buffer.from(text, 'utf8') });
    const big = `{"answer":"${'长'.repeat(2 << 20)}"}`;
    const chunks = ['[', encoded('{"a":"答案"}'), ',', encoded(big), ',', encoded('{"key":"sk-test-0123456789abcdef"}'), ']'];
    const path = join(dir, 'encoded.json');
    registerSecret('sk-test-0123456789abcdef');
    try {
      await writeChunksAtomic(path, chunks);
    } finally {
      clearSecrets();
    }
    expect(readFileSync(path, 'utf8')).toBe(`[{"a":"答案"},${big},{"key":"[redacted]"}]`);
  });

  it('keeps the order of short rows joined before encoding, long texts and encoded texts, from an async source, redacting each chunk', async () => {
    const encoded = (text: string) => ({ text, bytes: Buffer.from(text, 'utf8') });
    const long = `${'行'.repeat(20_000)}\n`;
    const parts: (string | { text: string; bytes: Buffer })[] = [];
    for (let i = 0; i < 3_000; i++) {
      parts.push(`${i},答${i % 7}\n`);
      if (i % 1_000 === 500) parts.push(long, encoded(`encoded ${i}\n`));
      if (i === 2_222) parts.push('key sk-test-0123456789abcdef\n');
    }
    async function* source() {
      yield* parts;
    }
    const path = join(dir, 'mixed.csv');
    registerSecret('sk-test-0123456789abcdef');
    try {
      await writeChunksAtomic(path, source());
    } finally {
      clearSecrets();
    }
    const expected = parts.map((p) => (typeof p === 'string' ? p : p.text)).join('').replace('sk-test-0123456789abcdef', '[redacted]');
    expect(readFileSync(path, 'utf8')).toBe(expected);
  });

  it('leaves no partial file when the chunks fail half way', async () => {
    function* failing(): Generator<string> {
      yield 'x'.repeat(3 << 20);
      throw new Error('source failed');
    }
    const path = join(dir, 'partial.csv');
    await expect(writeChunksAtomic(path, failing())).rejects.toThrow('source failed');
    expect(readdirSync(dir).filter((f) => f.startsWith('partial'))).toEqual([]);
  });

  it('rejects when the folder cannot be written', async () => {
    await expect(writeChunksAtomic(join(dir, 'missing', 'x.csv'), ['a'])).rejects.toThrow(/ENOENT/);
  });
});
