import { describe, expect, it } from 'vitest';
import { requestHash } from '../../src/runner/cache.js';
import { contentHash } from '../../src/io/hash.js';
import { endpointIdentity, type EndpointIdentity } from '../../src/endpoints/identity.js';
import { EndpointConfig } from '../../src/schema/config.js';

describe('requestHash', () => {
  const plain: EndpointIdentity = { baseURL: 'http://127.0.0.1:8000/v1', model: 'm' };
  const deployed: EndpointIdentity = { model: 'qwen', baseURL: 'https://example.test/v1', headers: { names: ['x-deployment'], fingerprint: '0123456789abcdef' } };
  const requests = [
    { endpoint: plain, params: {}, messages: [{ role: 'user' as const, content: '胸痛 2 小时' }], sample: 0 },
    { endpoint: plain, params: { temperature: 0.7, max_tokens: 512, seed: 43 }, messages: [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'q "quoted" \\ \n' }], sample: 1 },
    { endpoint: deployed, params: { top_p: 0.9, temperature: undefined }, messages: [{ content: 'a', role: 'user' as const }, { role: 'assistant' as const, content: 'b' }, { role: 'user' as const, content: 'c' }], sample: 12 },
  ];

  it('is the content hash of endpoint, params, messages and sample, byte for byte', () => {
    for (const request of requests) {
      const expected = contentHash({ endpoint: request.endpoint, params: request.params, messages: request.messages, sample: request.sample });
      expect(requestHash(request)).toBe(expected);
      // again, with the identity's part remembered
      expect(requestHash(request)).toBe(expected);
    }
  });

  it('tells identities, parameters, messages and samples apart', () => {
    const base = requests[0];
    const hashes = new Set([
      requestHash(base),
      requestHash({ ...base, endpoint: { ...plain, model: 'other' } }),
      requestHash({ ...base, params: { temperature: 0 } }),
      requestHash({ ...base, messages: [{ role: 'user', content: '胸痛 3 小时' }] }),
      requestHash({ ...base, sample: 1 }),
    ]);
    expect(hashes.size).toBe(5);
  });

  it('hashes a re-created identity with other content by that content, and endpointIdentity makes frozen identities', () => {
    for (const request of requests) requestHash(request);
    // Equal content in a new object, and other content in a new object: each hashes as contentHash does.
    for (const endpoint of [{ ...plain }, { ...plain, model: 'm2' }, { ...deployed, headers: { names: ['x-region'], fingerprint: 'fedcba9876543210' } }]) {
      const request = { ...requests[0], endpoint };
      expect(requestHash(request)).toBe(contentHash({ endpoint, params: request.params, messages: request.messages, sample: request.sample }));
    }
    const identity = endpointIdentity(EndpointConfig.parse({ name: 'd', baseURL: 'https://example.test/v1', model: 'qwen', headers: { 'X-Deployment': 'eu-west-1a' } }), {});
    expect(identity.headers?.names).toEqual(['x-deployment']);
    for (const part of [identity, identity.headers, identity.headers?.names]) expect(Object.isFrozen(part)).toBe(true);
    const before = requestHash({ ...requests[0], endpoint: identity });
    expect(() => ((identity as EndpointIdentity).model = 'changed')).toThrow(TypeError);
    expect(() => identity.headers!.names.push('x-other')).toThrow(TypeError);
    expect(requestHash({ ...requests[0], endpoint: identity })).toBe(before);
  });
});
