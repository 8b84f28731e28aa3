/** An answer sheet (.xlsx) with bytes that are not UTF-8 is refused naming file, sheet, row and column, as a CSV is; nothing is written. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { readSheet, writeSheet } from '../../src/interop/xlsx.js';
import { runCaps } from '../helpers/cli.js';
import { tempDir } from './fixtures.js';

const MARKER = 'MARKER-0001';

/** Replaces the marker inside the workbook's XML by raw bytes (GBK for 病人 here), as a tool writing the wrong encoding would. */
async function plantBytes(file: string, bytes: number[]): Promise<void> {
  const zip = await JSZip.loadAsync(readFileSync(file));
  let planted = 0;
  for (const name of Object.keys(zip.files).filter((n) => n.endsWith('.xml'))) {
    const xml = Buffer.from(await zip.file(name)!.async('uint8array'));
    const at = xml.indexOf(MARKER);
    if (at < 0) continue;
    zip.file(name, Buffer.concat([xml.subarray(0, at), Buffer.from(bytes), xml.subarray(at + MARKER.length)]));
    planted++;
  }
  expect(planted).toBe(1);
  writeFileSync(file, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
}

const GBK = [0xb2, 0xa1, 0xc8, 0xcb];

describe('invalid UTF-8 in an .xlsx sheet', () => {
  it('names the file, sheet, row and column of the cell', async () => {
    const file = join(tempDir('xlsx-utf8'), 'answers.xlsx');
    await writeSheet(file, { name: 'Answers', header: ['item', 'text'], rows: [{ item: 'q1', text: 'fine' }, { item: 'q2', text: `${MARKER} 需要复查` }] });
    expect((await readSheet(file)).records[1].values.text).toBe(`${MARKER} 需要复查`);
    await plantBytes(file, GBK);
    await expect(readSheet(file)).rejects.toThrow(`${file}: sheet "Answers" row 3 column B: not UTF-8 text`);
  });

  it('stops caps import gaps with that one line and writes neither bank nor answers', async () => {
    const dir = tempDir('xlsx-utf8-gaps');
    const file = join(dir, 'gaps.xlsx');
    const claims = JSON.stringify([{ id: 1, claim: '推荐新辅助治疗', level: 'A1', type: 'positive' }]);
    await writeSheet(file, { name: 'Sheet1', header: ['index', 'question', '分类', 'rubrics', 'gpt_5_answer'], rows: [{ index: '1', question: 'IIIA 期如何处理？', 分类: 'G3', rubrics: claims, gpt_5_answer: `${MARKER}：建议新辅助治疗。` }] });
    await plantBytes(file, GBK);
    const imported = await runCaps(['import', 'gaps', file, '--out', join(dir, 'bank.yaml'), '--answers', join(dir, 'run')]);
    expect(imported.code).toBe(1);
    expect(imported.stderr.trim()).toMatch(new RegExp(`^caps: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: sheet "Sheet1" row 2 column E: not UTF-8 text[^\\n]*$`));
    expect(existsSync(join(dir, 'bank.yaml'))).toBe(false);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });
});
