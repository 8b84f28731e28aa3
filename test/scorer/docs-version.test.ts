import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MATCHER_VERSION } from '../../src/matching/matcher.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('docs and the matcher version', () => {
  it('every matcher version named in the docs and README is the one recorded in outputs', () => {
    const files = [join(ROOT, 'README.md'), ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f))];
    for (const file of files) {
      for (const named of readFileSync(file, 'utf8').match(/caps-matcher\/\d[\d.]*/g) ?? []) expect(`${file}: ${named}`).toBe(`${file}: ${MATCHER_VERSION}`);
    }
  });
});
