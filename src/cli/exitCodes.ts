/**
 * Exit codes of the command line, so scripts can tell a refusal, a quota error and a bad argument apart.
 * @module
 */
import type { ErrorCode } from '../core/errors.js';

export const EXIT = {
  ok: 0,
  /** Something unexpected; the message and the log say what. */
  internal: 1,
  /** A bad argument, option or setting. */
  usage: 2,
  /** Gemini refused the prompt or the image (safety). */
  refused: 3,
  /** A Gemini quota or rate limit (429), a per-user budget or a per-user rate limit. */
  quota: 4,
  /** No API key, or the key was rejected. */
  auth: 5,
  /** Gemini failed or timed out after retries. */
  upstream: 6,
  /** Not found (an unknown image id). */
  notFound: 7,
  /** Interrupted (Ctrl-C). */
  cancelled: 130,
} as const;

export function exitCodeFor(code: ErrorCode | undefined): number {
  switch (code) {
    case 'invalid_input':
    case 'config':
    case 'forbidden':
      return EXIT.usage;
    case 'refused':
      return EXIT.refused;
    case 'quota':
    case 'budget':
    case 'rate_limited':
      return EXIT.quota;
    case 'auth':
    case 'invalid_token':
      return EXIT.auth;
    case 'upstream':
    case 'timeout':
      return EXIT.upstream;
    case 'not_found':
      return EXIT.notFound;
    case 'cancelled':
      return EXIT.cancelled;
    default:
      return EXIT.internal;
  }
}
