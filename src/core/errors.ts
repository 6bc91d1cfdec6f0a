/**
 * The small, typed error set of the studio. Every message is written for the caller (a person or an
 * assistant) and says what to do next. `internalMessage` is logged, never shown.
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
  | 'cancelled';

export interface AppErrorOptions {
  cause?: unknown;
  internalMessage?: string;
}

export class AppError extends Error {
  static readonly code: ErrorCode = 'upstream';
  readonly internalMessage: string | undefined;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.internalMessage = options.internalMessage;
  }

  get code(): ErrorCode {
    return (this.constructor as typeof AppError).code;
  }
}

/** The caller sent something we cannot use; the message says what would work. */
export class InvalidInputError extends AppError {
  static override readonly code: ErrorCode = 'invalid_input';
}

export class NotFoundError extends AppError {
  static override readonly code: ErrorCode = 'not_found';
}

/** A path outside the allowed roots, or an object owned by someone else. */
/** Gemini answered 404 for the model itself: the id is unknown or was shut down. */
export class ModelNotServedError extends NotFoundError {}

export class ForbiddenError extends AppError {
  static override readonly code: ErrorCode = 'forbidden';
}

/** A setting is missing or wrong; raised at start-up or when the setting is first needed. */
export class ConfigError extends AppError {
  static override readonly code: ErrorCode = 'config';
}

/** The Gemini API key is missing or rejected. */
export class AuthError extends AppError {
  static override readonly code: ErrorCode = 'auth';
}

/** Gemini answered 429: a quota or rate limit. `retryAfterMs` is the server's hint when it gave one. */
export class QuotaExceededError extends AppError {
  static override readonly code: ErrorCode = 'quota';
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
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options: AppErrorOptions = {}) {
    super(message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** Gemini declined: a blocked prompt or a refused image. Never billed. */
export class RefusalError extends AppError {
  static override readonly code: ErrorCode = 'refused';
  readonly reason: string;
  constructor(message: string, reason: string, options: AppErrorOptions = {}) {
    super(message, options);
    this.reason = reason;
  }
}

/** Gemini failed (5xx, malformed answer, dropped connection) after the retries we allow. */
export class UpstreamError extends AppError {
  static override readonly code: ErrorCode = 'upstream';
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, options: AppErrorOptions = {}) {
    super(message, options);
    this.status = status;
  }
}

export class TimeoutError extends AppError {
  static override readonly code: ErrorCode = 'timeout';
}

export class CancelledError extends AppError {
  static override readonly code: ErrorCode = 'cancelled';
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
