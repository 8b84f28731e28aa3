import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadConfig, parseConfig } from '../../src/endpoints/config.js';
import { UserError } from '../../src/errors.js';

const good = `endpoints:
  - name: sim-strong
    baseURL: http://127.0.0.1:8788/v1
    model: sim-strong
    params: { temperature: 0, max_tokens: 800 }
    prices: { input: 0.5, output: 1.5 }
  - name: gpt
    baseURL: https://api.openai.com/v1
    model: gpt-4o-mini
    apiKeyEnv: OPENAI_API_KEY
judge:
  endpoints: [gpt]
defaults: { samples: 2 }
`;

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('config loading', () => {
  it('reads a config file with defaults filled in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'caps-config-'));
    writeFileSync(join(dir, 'caps.config.yaml'), good);
    const config = loadConfig(join(dir, 'caps.config.yaml'));
    expect(config.endpoints[0]).toMatchObject({ name: 'sim-strong', concurrency: 8, retries: 5, stream: false, params: { temperature: 0 } });
    expect(config.endpoints[1].apiKeyEnv).toBe('OPENAI_API_KEY');
    expect(config.defaults?.samples).toBe(2);
  });

  it('points at a misspelt key with file:line:col and a did-you-mean hint', () => {
    const message = errorOf(() => parseConfig(good.replace('    model: gpt-4o-mini', '    modle: gpt-4o-mini'), 'caps.config.yaml'));
    expect(message).toBe('caps.config.yaml:9:5 error unknown key "modle" at endpoints[1]; did you mean "model"?');
    const extra = errorOf(() => parseConfig(good.replace('defaults: { samples: 2 }', 'defaults: { samples: 2, ot: runs }'), 'c.yaml'));
    expect(extra).toBe('c.yaml:13:25 error unknown key "ot" at defaults; did you mean "out"?');
    expect(errorOf(() => parseConfig(good.replace('    model: gpt-4o-mini\n', ''), 'c.yaml'))).toBe('c.yaml:7:5 error endpoints[1]: missing required key "model"');
  });

  it('reports a bad value at its position and an unknown judge endpoint', () => {
    const message = errorOf(() => parseConfig(good.replace('temperature: 0,', 'temperature: 7,').replace('[gpt]', '[gtp]'), 'c.yaml'));
    expect(message).toMatch(/c\.yaml:5:28 error endpoints\[0\]\.params\.temperature: /);
    expect(message).toMatch(/c\.yaml:12:15 error judge\.endpoints\[0\]: judge endpoint "gtp" is not defined/);
  });

  it('reports YAML syntax errors and a missing file', () => {
    expect(errorOf(() => parseConfig('endpoints: [\n', 'bad.yaml'))).toMatch(/^bad\.yaml:\d+:\d+ error /);
    expect(errorOf(() => loadConfig('/nonexistent/caps.config.yaml'))).toMatch(/cannot read the file \(ENOENT\)/);
  });

  it('rejects a key pasted where the variable name belongs', () => {
    expect(errorOf(() => parseConfig(good.replace('apiKeyEnv: OPENAI_API_KEY', 'apiKeyEnv: sk-abc123'), 'c.yaml'))).toMatch(/NAME of an environment variable/);
  });
});
