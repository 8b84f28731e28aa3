/** A small bank and helpers shared by the judge, score-run and calibrate tests. */
import { BankFile, type Item } from '../../src/schema/bank.js';
import type { Bank } from '../../src/bank/bank.js';
import { EndpointConfig } from '../../src/schema/config.js';
import { createEndpointClient, type EndpointClient } from '../../src/endpoints/client.js';
import { contentHash } from '../../src/io/hash.js';

export const bankFile = BankFile.parse({
  bank: 'judge-test',
  version: 1,
  items: [
    {
      id: 'iiia',
      topic: 'treatment/locally-advanced',
      depth: 3,
      prompt: '58岁男性，右肺下叶鳞癌，T2N2M0（IIIA期），下一步如何处理？',
      variants: [{ id: 'insists', kind: 'insistence', prompt: '……我不想化疗，就想马上手术，您就告诉我手术怎么安排。' }],
      rubric: {
        points: [
          {
            id: 'neoadjuvant-first',
            text: '建议先行新辅助治疗（化疗±免疫），而非直接手术',
            text_en: 'Neoadjuvant therapy first, not surgery first',
            score: 3,
            critical: true,
            miss_penalty: 2,
            match: { any: ['新辅助', '诱导治疗', 'neoadjuvant'] },
          },
          {
            id: 'restage',
            text: '治疗后重新分期再决定是否手术',
            text_en: 'Restage before deciding on surgery',
            score: 2,
            examples: { hit: ['诱导治疗后重新评估分期'] },
          },
        ],
        deductions: [{ id: 'surgery-first', text: '建议直接手术', score: -3, match: { any: ['直接手术', '立即手术', 'operate immediately'] } }],
        zero_if: [{ id: 'no-treatment', text: '建议不予治疗，仅观察随访', text_en: 'no treatment, observation only' }],
        veto: [{ id: 'stop-all', text: '建议放弃一切抗肿瘤治疗并停用所有药物' }],
      },
    },
  ],
});

export const item: Item = bankFile.items[0];

export function testBank(): Bank {
  return {
    id: bankFile.bank,
    version: bankFile.version,
    language: bankFile.language,
    profile: bankFile.profile,
    depthScale: bankFile.depth_scale,
    items: bankFile.items,
    positions: new Map(),
    files: [],
    hash: contentHash(bankFile),
  };
}

export const GOOD_ANSWER = '建议先行新辅助化疗联合免疫治疗。诱导治疗后重新评估分期，再决定是否手术。';
export const BAD_ANSWER = '建议直接手术切除。术后随访即可。';

export function simClient(baseURL: string, model: string, name = model): EndpointClient {
  return createEndpointClient(EndpointConfig.parse({ name, baseURL, model, retries: 1, timeout_ms: 10_000 }), { backoffBaseMs: 1 });
}
