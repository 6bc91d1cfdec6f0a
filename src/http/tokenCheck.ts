/**
 * A bearer token's check has two ways to fail: the token is not valid (an InvalidTokenError: 401
 * `invalid_token`, the client signs in again), or the check could not be made because the sign-in store
 * (the database) is unreachable. The second is no fault of the token: 503 with Retry-After, keep the token.
 * @module
 */
import { InvalidTokenError, UnavailableError } from '../core/errors.js';

/** How long a client is asked to wait when the sign-in store cannot be reached. */
export const TOKEN_CHECK_RETRY_MS = 5_000;

export function tokenCheckUnavailable(cause: unknown): UnavailableError {
  return new UnavailableError(
    'The sign-in store is unavailable, so your access token could not be checked; it may well be valid. Retry in a few seconds; there is no need to sign in again.',
    TOKEN_CHECK_RETRY_MS,
    { cause, internalMessage: cause instanceof Error ? cause.message : String(cause) },
  );
}

/** The token's owner, undefined when the token is not valid; throws (503) when it could not be checked. */
export async function verifiedOrUndefined<T>(verify: () => Promise<T>): Promise<T | undefined> {
  try {
    return await verify();
  } catch (error) {
    if (error instanceof InvalidTokenError) return undefined;
    throw tokenCheckUnavailable(error);
  }
}
