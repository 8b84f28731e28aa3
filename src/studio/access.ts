/**
 * Who may do what. Bound to loopback (the default), the person at the machine is the
 * studio's coordinator and graders sign in with their invite links. Bound to a LAN address,
 * every request needs a session from an invite link. Sessions ride an HttpOnly,
 * SameSite=Strict cookie; every write also carries the session's CSRF token and an Origin
 * of the studio itself. Pages get a strict Content-Security-Policy: no request outside
 * the app, no inline script, and Trusted Types so no text can become markup.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Grader, Store } from './store.js';

export const SESSION_COOKIE = 'caps_studio_session';
export const CSRF_HEADER = 'x-csrf-token';

export type StudioEnv = { Variables: { grader: Grader; csrf: string } };

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);
export const isLoopbackBind = (host: string) => LOOPBACK_HOSTS.has(host);

function isLoopbackAddress(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

export const securityHeaders = (): MiddlewareHandler =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      requireTrustedTypesFor: ["'script'"],
      trustedTypes: ["'none'"],
    },
    referrerPolicy: 'no-referrer',
    crossOriginResourcePolicy: 'same-origin',
  });

/** Host header check: a page on another name (DNS rebinding) cannot talk to the studio. */
export function hostGuard(host: string, port: () => number): MiddlewareHandler {
  return async (c, next) => {
    const name = (c.req.header('host') ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    // Bound to every interface (0.0.0.0, ::) the studio cannot know its names: invite tokens guard it.
    const anyInterface = host === '0.0.0.0' || host === '::';
    const allowed = isLoopbackBind(host) ? LOOPBACK_HOSTS.has(name) : anyInterface || name === host || name === host.replace(/^\[|\]$/g, '');
    if (!allowed) return refusal(c, 403, `This studio answers to ${host}:${port()} only.`);
    await next();
  };
}

export function startSession(c: Context, store: Store, grader: Grader): void {
  const { sid } = store.createSession(grader.id);
  setCookie(c, SESSION_COOKIE, sid, { httpOnly: true, sameSite: 'Strict', path: '/' });
}

/**
 * Attaches the signed-in grader. Without a session: on a loopback bind a request from
 * the machine itself is the local coordinator; anything else is refused.
 */
export function authenticate(store: Store, host: string, localCoordinator: () => Grader): MiddlewareHandler<StudioEnv> {
  return async (c, next) => {
    const sid = getCookie(c, SESSION_COOKIE);
    const session = sid ? store.session(sid) : undefined;
    if (session) {
      c.set('grader', session.grader);
      c.set('csrf', session.csrf);
      return next();
    }
    if (isLoopbackBind(host) && isLoopbackAddress(getConnInfo(c).remote.address)) {
      const grader = localCoordinator();
      const { sid: fresh, csrf } = store.createSession(grader.id);
      setCookie(c, SESSION_COOKIE, fresh, { httpOnly: true, sameSite: 'Strict', path: '/' });
      c.set('grader', grader);
      c.set('csrf', csrf);
      return next();
    }
    return refusal(c, 401, 'Sign in with the invite link your study coordinator sent you.');
  };
}

/** Writes need the session's CSRF token in a header, and an Origin (when sent) of this studio. */
export function csrfGuard(): MiddlewareHandler<StudioEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const origin = c.req.header('origin');
    if (origin && origin !== new URL(c.req.url).origin) return refusal(c, 403, 'Refused: this request did not come from the studio page.');
    if (c.req.header(CSRF_HEADER) !== c.get('csrf')) return refusal(c, 403, 'Refused: the page is missing its security token; reload it.');
    return next();
  };
}

export function requireRole(...roles: Grader['role'][]): MiddlewareHandler<StudioEnv> {
  return async (c, next) => {
    if (!roles.includes(c.get('grader').role)) return refusal(c, 403, `This needs the ${roles.join(' or ')} role.`);
    return next();
  };
}

/** A refusal: JSON for the app's API, a small text page for a browser. */
export function refusal(c: Context, status: 401 | 403 | 404 | 409 | 422, message: string): Response {
  if (c.req.path.startsWith('/api/')) return c.json({ error: message }, status);
  const title = status === 401 ? '401 Not signed in' : status === 403 ? '403 Refused' : `${status}`;
  return c.text(`caps studio: ${title}\n\n${message}\n`, status);
}
