/**
 * The small, typed error set of the studio. Every message is written for the caller (a person or an
 * assistant) and says what to do next. `internalMessage` is logged, never shown. Each class carries the
 * HTTP status it is answered with (`httpStatus`); core/errorPresentation turns any error into that answer.
 * @module
 */

export type ErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'forbidden'
  | 'config'
  | 'auth'
  | 'quota'
  | 'budget'
  | 'rate_limited'
  | 'refused'
  | 'upstream'
  | 'timeout'
  | 'cancelled'
  | 'invalid_token'
  | 'unavailable'
  | 'internal';

export interface AppErrorOptions {
  cause?: unknown;
  internalMessage?: string;
}

export class AppError extends Error {
  static readonly code: ErrorCode = 'upstream';
  /** The HTTP status an error of this class is answered with (see core/errorPresentation.httpAnswer). */
  static readonly httpStatus: number = 502;
  readonly internalMessage: string | undefined;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.internalMessage = options.internalMessage;
  }

  get code(): ErrorCode {
    return (this.constructor as typeof AppError).code;
  }

  get httpStatus(): number {
    return (this.constructor as typeof AppError).httpStatus;
  }
}

/** The caller sent something we cannot use; the message says what would work. */
export class InvalidInputError extends AppError {
  static override readonly code: ErrorCode = 'invalid_input';
  static override readonly httpStatus: number = 400;
}

export class NotFoundError extends AppError {
  static override readonly code: ErrorCode = 'not_found';
  static override readonly httpStatus: number = 404;
}

/** Gemini answered 404 for the model itself: the id is unknown or was shut down. */
export class ModelNotServedError extends NotFoundError {}

/** A path outside the allowed roots, or something only an admin may do. */
export class ForbiddenError extends AppError {
  static override readonly code: ErrorCode = 'forbidden';
  static override readonly httpStatus: number = 403;
}

/** A setting is missing or wrong; raised at start-up or when the setting is first needed. */
export class ConfigError extends AppError {
  static override readonly code: ErrorCode = 'config';
  static override readonly httpStatus: number = 500;
}

/**
 * The Gemini API key is missing or rejected: the server's credentials, not the caller's, so over HTTP it is a
 * 502 (a 401 would send the caller back to sign in). The caller's own token: {@link InvalidTokenError}.
 */
export class AuthError extends AppError {
  static override readonly code: ErrorCode = 'auth';
  static override readonly httpStatus: number = 502;
}

/** Gemini answered 429: a quota or rate limit. `retryAfterMs` is the server's hint when it gave one. */
export class QuotaExceededError extends AppError {
  static override readonly code: ErrorCode = 'quota';
  static override readonly httpStatus: number = 503;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs: number | undefined, options: AppErrorOptions = {}) {
    super(message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * A per-user budget (day or month, UTC) would be exceeded by this call; checked before Gemini is called,
 * so nothing was billed. `spentUsd` counts billed calls and calls still in flight.
 */
export class BudgetExceededError extends AppError {
  static override readonly code: ErrorCode = 'budget';
  static override readonly httpStatus: number = 429;
  readonly period: 'day' | 'month';
  readonly limitUsd: number;
  readonly spentUsd: number;
  /** ISO 8601: UTC midnight, or the first of next month at UTC midnight. */
  readonly resetsAt: string;
  constructor(
    message: string,
    details: { period: 'day' | 'month'; limitUsd: number; spentUsd: number; resetsAt: string },
    options: AppErrorOptions = {},
  ) {
    super(message, options);
    this.period = details.period;
    this.limitUsd = details.limitUsd;
    this.spentUsd = details.spentUsd;
    this.resetsAt = details.resetsAt;
  }
}

/** The caller started more requests in the last minute than their per-user rate limit allows. */
export class RateLimitedError extends AppError {
  static override readonly code: ErrorCode = 'rate_limited';
  static override readonly httpStatus: number = 429;
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options: AppErrorOptions = {}) {
    super(message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** Gemini declined: a blocked prompt or a refused image. Never billed. */
export class RefusalError extends AppError {
  static override readonly code: ErrorCode = 'refused';
  static override readonly httpStatus: number = 422;
  readonly reason: string;
  constructor(message: string, reason: string, options: AppErrorOptions = {}) {
    super(message, options);
    this.reason = reason;
  }
}

/** Gemini failed (5xx, malformed answer, dropped connection) after the retries we allow. */
export class UpstreamError extends AppError {
  static override readonly code: ErrorCode = 'upstream';
  static override readonly httpStatus: number = 502;
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, options: AppErrorOptions = {}) {
    super(message, options);
    this.status = status;
  }
}

export class TimeoutError extends AppError {
  static override readonly code: ErrorCode = 'timeout';
  static override readonly httpStatus: number = 504;
}

/** Who stopped the work: the caller (a cancel), the server shutting down, or another instance taking it over. */
export type CancelledBy = 'caller' | 'shutdown' | 'takeover';

export class CancelledError extends AppError {
  static override readonly code: ErrorCode = 'cancelled';
  static override readonly httpStatus: number = 409;
  readonly by: CancelledBy;
  constructor(message: string, options: AppErrorOptions & { by?: CancelledBy } = {}) {
    super(message, options);
    this.by = options.by ?? 'caller';
  }
}

/** The caller's access token (OAuth or personal) is not valid here: unknown, expired, revoked, or its email is off the list. */
export class InvalidTokenError extends AppError {
  static override readonly code: ErrorCode = 'invalid_token';
  static override readonly httpStatus: number = 401;
}

/**
 * Something the server needs for this request (its database, the sign-in store) cannot be reached now;
 * nothing is wrong with the request. Answered 503 with `Retry-After`.
 */
export class UnavailableError extends AppError {
  static override readonly code: ErrorCode = 'unavailable';
  static override readonly httpStatus: number = 503;
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options: AppErrorOptions = {}) {
    super(message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** What the caller is shown of an internal error (with the request's reference, see core/errorPresentation). */
export const INTERNAL_ERROR_MESSAGE = 'Internal error in the image server.';

/**
 * Something that was never meant to happen (a bug, a broken invariant, a full disk, a lost database). The
 * caller is shown only {@link INTERNAL_ERROR_MESSAGE} with a reference; `internalMessage` (the detail) and
 * `cause` (the original error) are for the log, written once with that reference (the error boundaries and
 * pipelines/requestOrigin.reportEnd). With STUDIO_EXPOSE_ERRORS on (the default on loopback binds) the
 * boundaries add the detail, for development.
 */
export class InternalError extends AppError {
  static override readonly code: ErrorCode = 'internal';
  static override readonly httpStatus: number = 500;
  constructor(detail: string, options: { cause?: unknown } = {}) {
    super(INTERNAL_ERROR_MESSAGE, { ...options, internalMessage: detail });
  }

  /** The detail for the log and for development (never shown on public binds). */
  get detail(): string {
    return this.internalMessage ?? INTERNAL_ERROR_MESSAGE;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * Whatever was thrown, as one of ours: an AppError as it is, an abort as a CancelledError, anything else
 * (its text was never written for a caller) as an InternalError that keeps it as its cause.
 */
export function asAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof Error && error.name === 'AbortError') return new CancelledError('The request was cancelled.');
  return new InternalError(error instanceof Error ? error.message : String(error), { cause: error });
}
