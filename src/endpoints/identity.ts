/**
 * An endpoint's identity: everything that can change its answer except the request itself.
 * The base URL (two vendors serving one open model are two respondents), the model, and the
 * headers that select a deployment, by name and a fingerprint of their values (never the
 * values). Credential headers only authorise, so they are left out: a rotated key keeps its cache.
 */
import { z } from 'zod';
import type { EndpointConfig } from '../schema/config.js';
import { contentHash, sha256 } from '../io/hash.js';
import { resolveHeaders } from './client.js';

export const EndpointIdentity = z.object({
  baseURL: z.string(),
  model: z.string(),
  /** Deployment-selecting header names, sorted, and a fingerprint of their values. */
  headers: z.object({ names: z.array(z.string()), fingerprint: z.string() }).optional(),
});
export type EndpointIdentity = z.infer<typeof EndpointIdentity>;

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'api-key', 'x-api-key', 'x-goog-api-key', 'cookie']);

/** `https://Host:443/v1/` and `https://host/v1` are one server. */
export function normalizeBaseURL(baseURL: string): string {
  const url = new URL(baseURL);
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

/**
 * Frozen, headers and their names too: the request hash remembers each identity object's JSON
 * (see requestHash), so an identity is never changed once made.
 */
export function endpointIdentity(endpoint: EndpointConfig, env: NodeJS.ProcessEnv = process.env): Readonly<EndpointIdentity> {
  const resolved = resolveHeaders(endpoint, env);
  const selecting = Object.keys(resolved)
    .filter((name) => !CREDENTIAL_HEADERS.has(name.toLowerCase()))
    .sort();
  const identity: EndpointIdentity = { baseURL: normalizeBaseURL(endpoint.baseURL), model: endpoint.model };
  if (selecting.length > 0) {
    const values = Object.fromEntries(selecting.map((name) => [name.toLowerCase(), resolved[name]]));
    // A salted, truncated hash: tells deployments apart without letting a value be read back.
    const names = Object.freeze(selecting.map((n) => n.toLowerCase())) as string[];
    identity.headers = Object.freeze({ names, fingerprint: sha256(`caps-eval header fingerprint\n${contentHash(values)}`).slice(0, 16) });
  }
  return Object.freeze(identity);
}

export function sameIdentity(a: EndpointIdentity, b: EndpointIdentity): boolean {
  return contentHash(a) === contentHash(b);
}
