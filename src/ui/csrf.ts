/**
 * CSRF tokens: an HMAC of the viewer's session id (better-auth's session, or with sign-in off a random
 * browser cookie), checked on every POST. Cross-site pages cannot read it, so they cannot forge a form.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

/** The browser cookie that keys CSRF tokens when there is no sign-in session. */
const LOCAL_SESSION_COOKIE = 'nbs_ui_session';
export const CSRF_FIELD = '_csrf';

export function csrfToken(key: string, sessionId: string): string {
  return createHmac('sha256', key).update(`csrf:${sessionId}`).digest('base64url');
}

/** Whether a form's token is the viewer's. */
export function checkCsrf(expectedToken: string, given: unknown): boolean {
  if (typeof given !== 'string' || !given) return false;
  const expected = Buffer.from(expectedToken);
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * The browser's session id when sign-in is off: its cookie's, or a new one set now (HttpOnly, SameSite=Lax,
 * Secure unless `secure` is false: plain-http loopback).
 */
export function localSessionId(c: Context, secure: boolean): string {
  const known = getCookie(c, LOCAL_SESSION_COOKIE);
  if (known && /^[A-Za-z0-9_-]{16,64}$/.test(known)) return known;
  const id = randomBytes(18).toString('base64url');
  setCookie(c, LOCAL_SESSION_COOKIE, id, { path: '/ui', httpOnly: true, sameSite: 'Lax', secure, maxAge: 31_536_000 });
  return id;
}
