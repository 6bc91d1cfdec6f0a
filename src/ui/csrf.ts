/**
 * CSRF tokens: an HMAC of the viewer's session id (better-auth's session, or with sign-in off a random
 * browser cookie), checked on every POST. Cross-site pages cannot read it, so they cannot forge a form.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The browser cookie that keys CSRF tokens when there is no sign-in session. */
export const LOCAL_SESSION_COOKIE = 'nbs_ui_session';
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

export function newSessionId(): string {
  return randomBytes(18).toString('base64url');
}

/** HttpOnly, SameSite=Lax, and Secure except on plain-http loopback. */
export function sessionCookie(value: string, secure: boolean): string {
  return `${LOCAL_SESSION_COOKIE}=${value}; Path=/ui; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}; Max-Age=31536000`;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
