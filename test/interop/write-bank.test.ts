import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'yaml';
import { itemYaml } from '../../src/interop/write-bank.js';
import type { ItemInput } from '../../src/schema/bank.js';

describe('itemYaml: the fast emitter for banks written item by item', () => {
  it('reads back as the same item whatever the strings hold', () => {
    const text = fc.oneof(fc.string({ unit: 'binary', minLength: 1 }), fc.constantFrom('yes', 'null', '~', '- a', 'a: b', '#x', ' lead', 'trail ', '"q"', "'", '\u0085\u2028\u007f', '多行\n文本\r\n'));
    fc.assert(
      fc.property(text, fc.array(text, { maxLength: 3 }), fc.integer({ min: -10, max: 10 }), (prompt, tags, score) => {
        const item = { id: 'x-1', topic: prompt, depth: 1, prompt: [{ role: 'user', content: prompt }], rubric: { points: [{ id: 'p1', text: prompt, score, tags }] }, tags: [] } as ItemInput;
        expect(parse(`items:\n${itemYaml(item)}`)).toEqual({ items: [item] });
      }),
      { numRuns: 300 },
    );
  });
});
