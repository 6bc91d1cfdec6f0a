/**
 * What a person sees of an error, at each protocol's one error boundary (MCP tool results, HTTP onError):
 * a known error's own message, an internal one as a short sentence; both with the request's reference so
 * the log lines can be found. Masked (on public binds, unless turned off for development), an internal
 * error shows nothing of itself: no message, stack, SQL or file path. The log keeps the detail.
 *
 * Over HTTP every error is answered by {@link httpAnswer}: the status of its class (core/errors), the
 * body `{ error: code, message, reference }`, and `Retry-After` when the wait is known:
 *
 * | class                              | status | why                                                      |
 * | ---------------------------------- | ------ | -------------------------------------------------------- |
 * | InvalidInputError                  | 400    | the request needs changing                               |
 * | InvalidTokenError                  | 401    | the caller's own token; only this one says sign in again |
 * | ForbiddenError                     | 403    | allowed to no one in the caller's role                   |
 * | NotFoundError (ModelNotServedError)| 404    |                                                          |
 * | CancelledError                     | 409    | the work was cancelled before it ended                   |
 * | RefusalError                       | 422    | understood, and declined by Gemini's safety rules        |
 * | BudgetExceededError, RateLimited   | 429    | the caller's own limits; Retry-After when they reset     |
 * | ConfigError                        | 500    | the server's settings; nothing the caller can change     |
 * | InternalError, anything unknown    | 500    | a bug; generic message with a reference                  |
 * | AuthError (the Gemini key)         | 502    | the server's key, not the caller's: never 401            |
 * | UpstreamError, a bare AppError     | 502    | Gemini failed                                            |
 * | QuotaExceededError (Gemini's 429)  | 503    | the server's shared Gemini quota; Retry-After if given   |
 * | UnavailableError                   | 503    | a store the server needs is down for now; Retry-After    |
 * | TimeoutError                       | 504    | Gemini did not answer in time                            |
 * @module
 */
import { AppError, BudgetExceededError, INTERNAL_ERROR_MESSAGE, InternalError } from './errors.js';
import { currentRequestId, withReference } from './requestContext.js';

export interface ErrorPresentation {
  /** Hide the text of internal errors from callers (default: on public binds). */
  masked: boolean;
}

/** True when `error` is not one of ours, or one of ours for a bug: its text was never written for a caller. */
export function isInternalError(error: unknown): boolean {
  return !(error instanceof AppError) || error instanceof InternalError;
}

/** The detail of an internal error (its own text), for the log and for development. */
function internalDetail(error: unknown): string {
  if (error instanceof InternalError) return error.detail;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The text a caller may see, without a reference: a known error's message; for an internal one the
 * generic sentence, with its detail only when not masked. For notes inside a result (a skipped stage, a
 * copy not written) where the reference is added once for the whole result, or not at all.
 */
export function callerText(error: unknown, presentation: ErrorPresentation): string {
  if (!isInternalError(error)) return (error as AppError).message;
  return presentation.masked
    ? INTERNAL_ERROR_MESSAGE
    : `${INTERNAL_ERROR_MESSAGE.replace(/\.$/, '')}: ${internalDetail(error).replace(/\.?$/, '.')}`;
}

/** What the caller sees of `error`, with the reference of the request (by default the current one). */
export function presentError(
  error: unknown,
  presentation: ErrorPresentation,
  reference: string | undefined = currentRequestId(),
): string {
  if (!isInternalError(error)) return withReference((error as AppError).message, reference);
  if (presentation.masked) {
    return withReference(
      `${INTERNAL_ERROR_MESSAGE.replace(/\.$/, '')}. Try again; if it persists, report this reference to the server administrator`,
      reference,
    );
  }
  const text = internalDetail(error);
  // A pipeline's stored error text may carry its reference already; put ours only once, at the end.
  return withReference(
    `${INTERNAL_ERROR_MESSAGE.replace(/\.$/, '')}: ${text.replace(/\.?$/, '')}. The server log has the details; try again, and report it if it persists`,
    reference,
  );
}

/** An error as an HTTP answer: see the table above. */
export interface HttpErrorAnswer {
  status: number;
  body: { error: string; message: string; reference: string | undefined };
  headers: Record<string, string>;
  /** Not one of ours (or a bug): the boundary logs it, once, with its detail and the reference. */
  internal: boolean;
}

export function httpAnswer(
  error: unknown,
  presentation: ErrorPresentation & { reference?: string | undefined; now?: number },
): HttpErrorAnswer {
  const internal = isInternalError(error);
  const status = error instanceof AppError && !internal ? error.httpStatus : 500;
  const code = error instanceof AppError ? error.code : 'internal';
  const reference = presentation.reference ?? currentRequestId();
  const headers: Record<string, string> = {};
  const wait = retryAfterMs(error, presentation.now ?? Date.now());
  if (wait !== undefined) headers['Retry-After'] = String(Math.max(1, Math.ceil(wait / 1000)));
  return {
    status,
    body: { error: code, message: presentError(error, presentation, reference), reference },
    headers,
    internal,
  };
}

/** How long the caller should wait before the same request can succeed, when that is known. */
export function retryAfterMs(error: unknown, now: number): number | undefined {
  if (error instanceof BudgetExceededError) return Math.max(0, Date.parse(error.resetsAt) - now);
  const wait = error instanceof AppError ? (error as { retryAfterMs?: unknown }).retryAfterMs : undefined;
  return typeof wait === 'number' && Number.isFinite(wait) ? wait : undefined;
}

/** Whether a server bound to `host` is reachable from other machines (errors masked there by default). */
export function isPublicBind(host: string): boolean {
  return !['127.0.0.1', 'localhost', '::1'].includes(host);
}
