import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCaps } from '../helpers/cli.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { loadJudgeTemplate, renderJudgePrompt } from '../../src/scorer/judge/template.js';
import { resolveRubric } from '../../src/scorer/rubric.js';
import { GAPS_COMMUNITY, GAPS_SAMPLE, HEALTHBENCH_SAMPLE, tempDir } from './fixtures.js';

async function caps(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await runCaps(args);
  return { code, out: stdout, err: stderr };
}

describe('caps import, export and import-verdicts on the command line', () => {
  it('imports GAPS, scores it from published verdicts, exports it back', async () => {
    const dir = tempDir('cli-gaps');
    const bank = join(dir, 'questions', 'nsclc.yaml');
    const run = join(dir, 'runs', 'nsclc');
    const imported = await caps(['import', 'gaps', GAPS_SAMPLE, '--out', bank, '--answers', run]);
    expect(imported.code).toBe(0);
    expect(imported.out).toContain(`wrote ${bank} (gaps layout, bank gaps-456552c29f): 8 items, 115 points, 57 deductions (A1 21, A2 63, A3 31, S2 21, S3 17, S4 19); 19 S4 veto candidates`);
    expect(imported.out).toContain('24 answers by gpt_5, gemini_2_5_pro, claude_opus_4 imported');

    writeFileSync(join(dir, 'grades.csv'), 'item,respondent,entry,met\ngaps-2,gpt_5,c1,yes\n');
    const graded = await caps(['import-verdicts', join(dir, 'grades.csv'), '--run', run]);
    expect(graded.code).toBe(0);
    // One graded entry of thirteen: the others have neither matcher nor grade, so the answer is incomplete, never zero.
    expect(graded.out).toContain('1 grades recorded in verdicts.jsonl, 0 unchanged, 0 refused; 1 answers scored (0 complete, 1 incomplete)');

    const out = join(dir, 'export', 'nsclc.xlsx');
    const exported = await caps(['export', 'gaps', '--bank', bank, '--out', out, '--answers', run]);
    expect(exported.code).toBe(0);
    expect(exported.out).toBe(`wrote ${out}: 8 items\n`);
    expect(existsSync(out)).toBe(true);
  });

  it('imports HealthBench with its ideal completions and exports it back', async () => {
    const dir = tempDir('cli-hb');
    const bank = join(dir, 'hb.yaml');
    const imported = await caps(['import', 'healthbench', HEALTHBENCH_SAMPLE, '--out', bank, '--answers', join(dir, 'run')]);
    expect(imported.code).toBe(0);
    expect(imported.out).toContain('10 examples, 85 positive and 33 negative criteria (accuracy 30, communication_quality 5, completeness 56, context_awareness 22, instruction_following 5); 7 ideal completions');
    const exported = await caps(['export', 'healthbench', '--bank', bank, '--out', join(dir, 'out.jsonl')]);
    expect(exported.code).toBe(0);
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n')).toHaveLength(10);
  });

  it('reports bad input as a one-line error with exit code 1', async () => {
    const dir = tempDir('cli-bad');
    writeFileSync(join(dir, 'broken.jsonl'), '{"prompt_id": "x", "prompt": [], "rubrics": []}\n');
    const bad = await caps(['import', 'healthbench', join(dir, 'broken.jsonl'), '--out', join(dir, 'b.yaml'), '--answers', join(dir, 'run')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^caps: .*broken\.jsonl:1: prompt: the conversation has no message\.\n$/);
    const missing = await caps(['import', 'gaps', join(dir, 'nope.xlsx'), '--out', join(dir, 'n.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^caps: .*nope\.xlsx: no such file\.\n$/);
  });
});

describe('the judge prompt for imported free-text claims', () => {
  it('shows the judge the claim text and the rules for bad behaviour worded as a rule and for listed examples', async () => {
    const dir = tempDir('judge-prompt');
    expect((await caps(['import', 'gaps', GAPS_COMMUNITY, '--out', join(dir, 'c.yaml'), '--answers', join(dir, 'run')])).code).toBe(0);
    const bank = await loadBankOrThrow([join(dir, 'c.yaml')]);
    const item = bank.items[1];
    const messages = renderJudgePrompt(loadJudgeTemplate(), { question: [{ role: 'user', content: String(item.prompt) }], answer: '先用阿莫西林。', entries: resolveRubric(item) });
    const prompt = messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('不应立即使用抗生素而不明确感染类型');
    expect(prompt).toContain('it is met when the answer breaks that rule');
    expect(prompt).toMatch(/"例如", "如", "比如",\s+"包括"/);
  });
});
