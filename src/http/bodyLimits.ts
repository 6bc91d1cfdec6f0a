/**
 * A body limit for every route but /mcp (which has its own, STUDIO_MAX_REQUEST_BODY_MB): the sign-in
 * endpoints are open to anyone before signing in, so each gets the few KB its requests need. The limit is
 * enforced while the body streams in: a Content-Length over it is refused before a byte is read, and a
 * chunked body is counted as it arrives and refused at the first chunk over it, so memory stays flat
 * whatever is sent. Bodies within the limit are buffered (they are small) and passed on unchanged.
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

const KB = 1024;

/** Route patterns (first match wins) and the most each accepts. */
export const BODY_LIMITS: ReadonlyArray<{ pattern: RegExp; maxBytes: number; what: string }> = [
  // OAuth token, revocation and introspection requests: a code, a verifier, a token or two, a resource.
  { pattern: /^\/api\/auth\/oauth2\/(token|revoke|introspect)$/, maxBytes: 8 * KB, what: 'an OAuth token request' },
  // Dynamic client registration (RFC 7591): a name, redirect URIs, a few URLs; real clients send < 2 KB.
  { pattern: /^\/api\/auth\/oauth2\/register$/, maxBytes: 16 * KB, what: 'a client registration' },
  { pattern: /^\/api\/auth\//, maxBytes: 16 * KB, what: 'a sign-in request' },
  // The consent form: the signed authorization request and a button.
  { pattern: /^\/consent$/, maxBytes: 16 * KB, what: 'the consent form' },
  // Dashboard forms: a name, a number or a button, and the CSRF token.
  { pattern: /^\/ui(\/|$)/, maxBytes: 16 * KB, what: 'a dashboard form' },
  // Everything else (metadata, sign-in pages, /i/ images, /health) takes no body.
  { pattern: /^/, maxBytes: 1 * KB, what: 'this request' },
];

export function limitFor(path: string): { maxBytes: number; what: string } {
  const found = BODY_LIMITS.find((limit) => limit.pattern.test(path));
  return found ?? { maxBytes: KB, what: 'this request' };
}

/** The middleware for every route except /mcp. */
export function bodyLimits(): MiddlewareHandler {
  const perLimit = new Map<number, MiddlewareHandler>();
  return async (c, next) => {
    if (c.req.path === '/mcp') return next();
    const { maxBytes } = limitFor(c.req.path);
    let limiter = perLimit.get(maxBytes);
    if (!limiter) {
      limiter = bodyLimit({
        maxSize: maxBytes,
        onError: (cc) => {
          const { what: said } = limitFor(cc.req.path);
          return cc.json(
            {
              error: 'payload_too_large',
              message: `The request body is larger than ${Math.round(maxBytes / KB)} KB, the most this server accepts for ${said}.`,
            },
            413,
          );
        },
      });
      perLimit.set(maxBytes, limiter);
    }
    return limiter(c, next);
  };
}
