/**
 * The shortcut both bank readers take for plain scalars (src/bank/yaml-scalar.ts): a scalar
 * said to read as itself is one js-yaml's schema resolves to the same string, and resolving
 * with the shortcut gives exactly what the schema gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCHEMA, readsAsItself, resolvePlain } from '../../src/bank/yaml-scalar.js';
import { SCALARS } from './yaml-texts.js';

/** Texts near every implicit tag: words, numbers, signs and dots, with letters mixed in. */
const nearTags = fc.oneof(
  fc.constantFrom(...SCALARS, 'n', 'nul', 'nulls', 'Nullx', 't', 'tru', 'truex', 'f', 'fals', 'FALSEy', '_x', 'x1', 'e5', 'E', 'inf', 'nan', 'NaN', '-', '+', '.'),
  fc.stringMatching(/^[-+.~0-9a-fA-FnNtTxXoObeE_]{0,8}$/),
  fc.string({ maxLength: 6 }),
);

describe('plain scalars', () => {
  it('read as themselves only where the schema reads them as the same string', () => {
    let shortcuts = 0;
    fc.assert(
      fc.property(nearTags, (text) => {
        const resolved = SCHEMA.resolveImplicitScalarTag(text).value;
        expect(Object.is(resolvePlain(text), resolved), text).toBe(true);
        if (readsAsItself(text, 0, text.length)) {
          shortcuts++;
          expect(resolved, text).toBe(text);
        }
        // The same answer for the text where it stands inside a longer one.
        for (const around of [`: ${text} #`, `: ${text}x`]) expect(readsAsItself(around, 2, 2 + text.length), around).toBe(readsAsItself(text, 0, text.length));
      }),
      { numRuns: 5000 },
    );
    expect(shortcuts).toBeGreaterThan(500);
  });

  it('take no shortcut for null, boolean and number words', () => {
    for (const text of ['', '~', 'null', 'Null', 'NULL', 'true', 'True', 'FALSE', '0', '-1', '+1', '.5', '.inf', '.nan', '1e999']) {
      expect(readsAsItself(text, 0, text.length), text).toBe(false);
    }
    for (const text of ['nULL', 'tRUE', 'name', 'text', 'facts', '_x', '中文', 'yes', 'nan', 'inf']) expect(readsAsItself(text, 0, text.length), text).toBe(true);
  });
});
