/**
 * Our own retry loop around SDK calls. The SDK's `retryOptions` ignore RetryInfo and Retry-After, so they
 * stay off and this module decides: retry 408/429/5xx, per-attempt timeouts, dropped connections and
 * malformed bodies, with exponential backoff and full jitter, but wait exactly as long as Gemini asks
 * when it says (RetryInfo `retryDelay`, or a `Retry-After` header seen by our fetch wrapper).
 *
 * Each attempt gets a fresh AbortController for its timeout, combined with the caller's signal, so the
 * two can be told apart: our timer → retry (finally TimeoutError); the caller → CancelledError at once.
 * @module
 */

import type { CallOutcome } from '../core/concurrency/adaptiveLimit.js';
import { AppError, CancelledError } from '../core/errors.js';
import { secondsSince, telemetry } from '../core/telemetry.js';
import {
  isAbortError,
  isApiError,
  isMalformedBody,
  isNetworkError,
  parseGoogleError,
  parseRetryAfterMs,
  RETRYABLE_STATUSES,
} from './errors.js';
import { type FailureContext, fromGeminiFailure } from './failures.js';
import { recordingFetch } from './transport.js';

export interface RetryPolicy {
  /** Per attempt. */
  timeoutMs: number;
  /** Including the first attempt. */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** A server-requested wait longer than this ends the call at once (QuotaExceededError for 429s). */
  maxRetryDelayMs: number;
  random: () => number;
}

export type LogFn = (event: { level: 'debug' | 'info' | 'warn'; msg: string; [k: string]: unknown }) => void;

export interface AttemptContext {
  /** Aborts on the attempt's timeout or the caller's cancellation. Pass it to the SDK. */
  signal: AbortSignal;
  /** 1-based. */
  attempt: number;
  /**
   * A `fetch` for `httpOptions.fetch` that records the headers of error responses, so a `Retry-After`
   * (which `ApiError` does not expose) can be honoured.
   */
  fetch: typeof fetch;
}

export interface RetryOptions {
  policy: RetryPolicy;
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  log?: LogFn;
  /** Describes the call for error messages (attempts and retryAfterMs are filled in here). */
  context: Omit<FailureContext, 'attempts' | 'timeoutMs'>;
  /**
   * The key's adaptive limit: each attempt waits for a slot and reports how Google answered. With it, a
   * 429 carrying a delay is a wait the limit schedules, not a failure: up to QUOTA_WAITS of them do not
   * count against `maxAttempts`.
   */
  gate?: Gate;
}

export interface Gate {
  acquire(signal?: AbortSignal): Promise<(outcome: CallOutcome) => void>;
}

/** 429s with a delay that an attempt may wait out under a gate without using up an attempt. */
const QUOTA_WAITS = 8;

/** Raised on our own per-attempt timer, so it can be recognised among abort reasons. */
class AttemptTimeout extends Error {
  override readonly name = 'AbortError';
}

export function cancelledError(cause?: unknown): CancelledError {
  return new CancelledError('The Gemini call was cancelled.', {
    cause,
    internalMessage: 'aborted by the caller signal',
  });
}

/** Resolves after `ms`, or rejects with CancelledError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(cancelledError(signal.reason));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Full jitter: a uniform delay between 0 and the exponential cap (AWS "Exponential Backoff and Jitter"). */
export function backoffDelayMs(failedAttempt: number, policy: RetryPolicy): number {
  const cap = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (failedAttempt - 1));
  return Math.round(policy.random() * cap);
}

/** A server-requested wait plus a little jitter (≤ 10 %, ≤ 250 ms) so parallel callers do not return in lockstep. */
export function serverDelayMs(requestedMs: number, policy: RetryPolicy): number {
  return requestedMs + Math.round(policy.random() * Math.min(250, requestedMs * 0.1));
}

interface Verdict {
  retryable: boolean;
  reason: string;
  status?: number;
  /** What the server asked us to wait, in ms. */
  requestedDelayMs?: number;
}

function judge(error: unknown, timedOut: boolean, headers: Headers | undefined): Verdict {
  if (timedOut) return { retryable: true, reason: 'timeout' };
  if (error instanceof AppError) return { retryable: false, reason: error.code };
  if (isApiError(error)) {
    const info = parseGoogleError(error);
    const status = error.status;
    // Both hints can be present (RetryInfo from Google, Retry-After from Google or a proxy): honour the
    // longer one, as returning early would only earn another 429.
    const hints = [info.retryDelayMs, parseRetryAfterMs(headers?.get('retry-after'))].filter(
      (ms): ms is number => ms !== undefined,
    );
    const requestedDelayMs = hints.length > 0 ? Math.max(...hints) : undefined;
    const reason = `${status}${info.status === undefined ? '' : ` ${info.status}`}`;
    return {
      retryable: RETRYABLE_STATUSES.has(status),
      reason,
      status,
      ...(requestedDelayMs === undefined ? {} : { requestedDelayMs }),
    };
  }
  if (isNetworkError(error)) return { retryable: true, reason: 'connection dropped' };
  if (isMalformedBody(error)) return { retryable: true, reason: 'malformed response body' };
  return { retryable: false, reason: error instanceof Error ? error.name : 'unknown error' };
}

/** A function, not a property read, so TypeScript does not narrow `aborted` across awaits. */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** Rejects when `signal` aborts, even if the SDK ignores the signal (its upload chunks do). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Runs `operation` until it succeeds, fails for good, or the attempts run out. Returns the value and how
 * many attempts it took. Every failure leaves as a typed AppError.
 */
export async function withRetry<T>(
  operation: (ctx: AttemptContext) => Promise<T>,
  options: RetryOptions,
): Promise<{ value: T; attempts: number }> {
  const { policy, signal: callerSignal, log } = options;
  const fail = (error: unknown, attempts: number, extra: Partial<FailureContext> = {}) =>
    fromGeminiFailure(error, { ...options.context, ...extra, attempts, timeoutMs: policy.timeoutMs });

  let quotaWaits = 0;
  for (let attempt = 1; ; attempt++) {
    if (aborted(callerSignal)) throw cancelledError(callerSignal?.reason);
    let release: ((outcome: CallOutcome) => void) | undefined;
    try {
      release = await options.gate?.acquire(callerSignal);
    } catch (error) {
      throw cancelledError(error);
    }

    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new AttemptTimeout('attempt timed out')), policy.timeoutMs);
    const signal = callerSignal === undefined ? timeout.signal : AbortSignal.any([callerSignal, timeout.signal]);
    let errorHeaders: Headers | undefined;
    const fetchForAttempt = recordingFetch((headers) => {
      errorHeaders = headers;
    });

    let error: unknown;
    const started = performance.now();
    const labels = { operation: options.context.operation, model: options.context.model ?? '' };
    try {
      const value = await raceAbort(operation({ signal, attempt, fetch: fetchForAttempt }), signal);
      observeAttempt(labels, attempt, 'ok', started);
      release?.({ kind: 'ok' });
      return { value, attempts: attempt };
    } catch (caught) {
      error = caught;
    } finally {
      clearTimeout(timer);
    }

    // The caller's cancellation wins over everything, including a timeout that fired in the same tick.
    if (aborted(callerSignal)) {
      observeAttempt(labels, attempt, 'cancelled', started);
      release?.({ kind: 'other' });
      throw cancelledError(error);
    }
    // Any abort the caller did not ask for is a timeout: ours, or the SDK's own timer for the same
    // duration (`httpOptions.timeout`) if it happened to fire first.
    const timedOut = timeout.signal.aborted || isAbortError(error);
    const verdict = judge(error, timedOut, errorHeaders);
    observeAttempt(labels, attempt, attemptStatus(verdict, timedOut), started);
    const refused = verdict.status === 429 || verdict.status === 503;
    release?.(
      refused
        ? {
            kind: 'refused',
            // A wait longer than we would make ourselves fails this call at once (below); it must not hold
            // every other caller that long either (a daily quota would hang them all for hours).
            ...(verdict.requestedDelayMs === undefined || verdict.requestedDelayMs > policy.maxRetryDelayMs
              ? {}
              : { retryAfterMs: verdict.requestedDelayMs }),
          }
        : { kind: 'other' },
    );
    const failure = timedOut ? new AttemptTimeout(`no answer within ${policy.timeoutMs} ms`, { cause: error }) : error;

    if (!verdict.retryable) throw fail(failure, attempt);

    const requested = verdict.requestedDelayMs;
    if (requested !== undefined && requested > policy.maxRetryDelayMs) {
      log?.({
        level: 'warn',
        msg: 'gemini asks to wait longer than allowed; giving up',
        attempt,
        requestedMs: requested,
      });
      // A 429 becomes QuotaExceededError carrying retryAfterMs; a 5xx with a long Retry-After, UpstreamError.
      throw fail(failure, attempt, { retryAfterMs: requested, waitTooLong: true });
    }
    const quotaWait = options.gate !== undefined && verdict.status === 429 && requested !== undefined;
    if (quotaWait && quotaWaits < QUOTA_WAITS) quotaWaits++;
    else if (attempt - quotaWaits >= policy.maxAttempts) {
      throw fail(failure, attempt, requested === undefined ? {} : { retryAfterMs: requested });
    }

    const delayMs = requested === undefined ? backoffDelayMs(attempt, policy) : serverDelayMs(requested, policy);
    log?.({
      level: 'warn',
      msg: 'gemini call failed; retrying',
      attempt,
      reason: verdict.reason,
      delayMs,
      ...(requested === undefined ? {} : { requestedMs: requested }),
    });
    telemetry().count('gemini_retries_total', labels);
    try {
      options.onRetry?.({ attempt: attempt + 1, delayMs, reason: verdict.reason });
    } catch (hookError) {
      // A progress callback must not turn a retryable failure into an untyped one.
      log?.({ level: 'warn', msg: 'onRetry callback threw', error: String(hookError) });
    }
    await sleep(delayMs, callerSignal);
  }
}

/** One attempt in the metrics: by operation, model, status (HTTP code, ok, timeout, …) and attempt number. */
function observeAttempt(
  labels: { operation: string; model: string },
  attempt: number,
  status: string,
  started: number,
) {
  const t = telemetry();
  t.count('gemini_calls_total', { ...labels, status, attempt });
  t.observe('gemini_call_duration_seconds', labels, secondsSince(started));
  if (status === '429') t.count('gemini_rate_limited_total', { model: labels.model });
}

function attemptStatus(verdict: Verdict, timedOut: boolean): string {
  if (timedOut) return 'timeout';
  if (verdict.status !== undefined) return String(verdict.status);
  if (verdict.reason === 'connection dropped') return 'network';
  if (verdict.reason === 'malformed response body') return 'malformed';
  return 'error';
}
