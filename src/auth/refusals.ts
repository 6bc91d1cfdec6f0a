/**
 * How sign-in says no, worded once: to better-auth (which turns a refusal into its error callback or an
 * OAuth error), to MCP clients (`error_description` of `access_denied`) and to people on the error pages,
 * the MCP client's and the dashboard's alike.
 * @module
 */
import { APIError } from 'better-auth/api';

export const NO_LONGER_ALLOWED = 'This email is no longer on the allow-list of this studio.';

/** Thrown from better-auth's user and session hooks; its code reaches the error callback as `?error=`. */
export function emailNotAllowed(): APIError {
  return new APIError('FORBIDDEN', {
    code: 'EMAIL_NOT_ALLOWED',
    message: 'This email is not on the allow-list of this studio.',
  });
}

/** The refresh_token grant for an email taken off the list: no new tokens. */
export function refreshNotAllowed(): APIError {
  return new APIError('BAD_REQUEST', { error: 'invalid_grant', error_description: NO_LONGER_ALLOWED });
}

/** Why better-auth sent the person back (`?error=` on its error callback), and what to do. */
export function signInRefusal(error: string): string {
  const e = error.toLowerCase();
  if (e.includes('email_not_allowed') || e.includes('unable_to_create') || e.includes('not allowed'))
    return 'This email may not use this studio. Ask its owner to add it to the allow-list, or sign in with another account.';
  if (e.includes('email_not_verified'))
    return 'This account’s email is not verified by the sign-in provider. Verify it there, then sign in again.';
  return `The sign-in did not complete (${error}). Try again; if it keeps failing, ask the studio’s owner to look at the server log.`;
}
