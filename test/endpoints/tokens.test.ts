import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../src/endpoints/tokens.js';

describe('estimateTokens', () => {
  it('counts 0.6 token per Chinese character and 0.3 per other character, rounded up', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('先行新辅助治疗')).toBe(Math.ceil(7 * 0.6)); // 5
    expect(estimateTokens('Start with neoadjuvant therapy.')).toBe(Math.ceil(31 * 0.3)); // 10
    expect(estimateTokens('建议PD-L1检测')).toBe(Math.ceil(4 * 0.6 + 5 * 0.3)); // 4
  });

  it('counts a character outside the Basic Multilingual Plane once, and full-width punctuation as CJK', () => {
    expect(estimateTokens('𠀀')).toBe(1);
    expect(estimateTokens('，。！？')).toBe(Math.ceil(4 * 0.6));
  });

  it('estimates a Chinese answer at well under one token a character', () => {
    const answer = '患者为IIIA期鳞癌，建议先行新辅助化疗联合免疫治疗3周期，再评估手术。'.repeat(10);
    expect(estimateTokens(answer) / answer.length).toBeLessThan(0.6);
  });
});
