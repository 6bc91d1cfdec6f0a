/**
 * A Gemini call's final failure (no more retries) as one of the studio's typed errors, worded for the
 * caller: what happened, in the terms of what they asked, and what to do. The parsing is in ./errors.ts.
 * @module
 */
import {
  AppError,
  AuthError,
  InvalidInputError,
  ModelNotServedError,
  NotFoundError,
  QuotaExceededError,
  TimeoutError,
  UpstreamError,
} from '../core/errors.js';
import {
  API_KEY_URL,
  compact,
  type GoogleErrorInfo,
  isAbortError,
  isMalformedBody,
  isNetworkError,
  parseGoogleError,
  redactSecrets,
} from './errors.js';

/** What the failing call was doing, so a 404 or 403 can be described in the caller's terms. */
export interface FailureContext {
  operation: 'generate' | 'json' | 'upload' | 'getFile' | 'deleteFile' | 'listFiles' | 'listModels';
  model?: string;
  fileName?: string;
  attempts: number;
  timeoutMs: number;
  apiKey?: string;
  /** The server's requested wait, from RetryInfo or Retry-After. */
  retryAfterMs?: number;
  /** Set when we gave up because the requested wait exceeded our limit. */
  waitTooLong?: boolean;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

function afterAttempts(attempts: number): string {
  return attempts > 1 ? ` and still failed after ${attempts} attempts` : '';
}

function quotaMessage(info: GoogleErrorInfo, ctx: FailureContext): string {
  const violation = info.quotaViolations[0];
  const what =
    violation === undefined
      ? 'a Gemini rate limit or quota'
      : [
          `quota ${violation.quotaId ?? 'unknown'}`,
          violation.quotaMetric === undefined ? undefined : `metric ${violation.quotaMetric}`,
          violation.quotaValue === undefined ? undefined : `limit ${violation.quotaValue}`,
        ]
          .filter((x) => x !== undefined)
          .join(', ');
  const wait =
    ctx.retryAfterMs === undefined
      ? ' Wait a minute before trying again.'
      : ctx.waitTooLong === true
        ? ` Gemini asks to wait ${seconds(ctx.retryAfterMs)}, longer than this server waits on its own; try again after that.`
        : ` Gemini asked to wait ${seconds(ctx.retryAfterMs)}.`;
  const freeTier = violation?.quotaId?.includes('FreeTier') === true;
  const billing = freeTier
    ? ' This is a free-tier quota: image generation needs a billed project (link billing to the key’s project in Google AI Studio).'
    : ' If this keeps happening, check the project’s limits in Google AI Studio; image generation needs a billed project.';
  const tries = ctx.attempts > 1 ? `, still after ${ctx.attempts} attempts` : '';
  return `Gemini's rate limit or quota was exceeded (${what}${tries}).${wait}${billing}`;
}

function isKeyProblem(info: GoogleErrorInfo): boolean {
  return (
    info.reason === 'API_KEY_INVALID' ||
    info.reason === 'API_KEY_SERVICE_BLOCKED' ||
    info.reason === 'API_KEY_HTTP_REFERRER_BLOCKED' ||
    info.reason === 'API_KEY_IP_ADDRESS_BLOCKED' ||
    /api key (not valid|expired|invalid)/i.test(info.message)
  );
}

/** A 403 about a File resource (`You do not have permission to access the File x or it may not exist`). */
function isFileProblem(info: GoogleErrorInfo): boolean {
  return /\bthe file\b|\bfiles\//i.test(info.message);
}

function keyRejected(info: GoogleErrorInfo): string {
  const why = info.reason ?? info.status ?? `HTTP ${info.httpStatus ?? '?'}`;
  return `The Gemini API key was rejected (${why}). Set a valid key in GEMINI_API_KEY (get one at ${API_KEY_URL}) and restart the server.`;
}

/**
 * Maps a final failure (no more retries) to a typed error. `cause` keeps the raw error, and
 * `internalMessage` a compact technical line for the logs. Messages never contain the key.
 */
export function fromGeminiFailure(error: unknown, ctx: FailureContext): AppError {
  if (error instanceof AppError) return error;
  const info = parseGoogleError(error);
  const redact = (text: string) => redactSecrets(text, ctx.apiKey);
  const internalMessage = redact(
    compact(
      `${ctx.operation}${ctx.model === undefined ? '' : ` ${ctx.model}`}: ${
        error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      } (attempts ${ctx.attempts})`,
      1000,
    ),
  );
  const options = { cause: error, internalMessage };
  const googleSays = redact(info.message);
  const status = info.httpStatus;

  if (isAbortError(error)) {
    // Only called for our own timer: caller cancellations are turned into CancelledError by retry.ts.
    const tries = ctx.attempts > 1 ? ` (tried ${ctx.attempts} times)` : '';
    return new TimeoutError(
      `Gemini did not answer within ${seconds(ctx.timeoutMs)}${tries}. It may be overloaded; try again, or ask for a smaller image size.`,
      options,
    );
  }

  if (status === undefined) {
    if (isNetworkError(error)) {
      return new UpstreamError(
        `The connection to Gemini dropped${afterAttempts(ctx.attempts)}. Check the network (or GEMINI_BASE_URL) and try again.`,
        undefined,
        options,
      );
    }
    if (isMalformedBody(error)) {
      return new UpstreamError(
        `Gemini sent an unreadable (malformed) answer${afterAttempts(ctx.attempts)}. Try again in a minute.`,
        undefined,
        options,
      );
    }
    return new UpstreamError(`The Gemini call failed: ${redact(compact(info.message, 300))}`, undefined, options);
  }

  if (status === 403 && /unregistered callers/i.test(info.message)) {
    // Google got no key at all (googleapis/js-genai#898): often a proxy in GEMINI_BASE_URL dropping the header.
    return new AuthError(
      `Gemini received no API key (403 PERMISSION_DENIED: "${googleSays}"). Set GEMINI_API_KEY (get one at ${API_KEY_URL}); if GEMINI_BASE_URL points at a proxy, make sure it passes the x-goog-api-key header on.`,
      options,
    );
  }
  if (status === 401 || ((status === 400 || status === 403) && isKeyProblem(info))) {
    return new AuthError(keyRejected(info), options);
  }
  if (status === 403) {
    if (isFileProblem(info) || ctx.fileName !== undefined) {
      const which = ctx.fileName ?? /File ([\w-]+)/.exec(info.message)?.[1];
      return new NotFoundError(
        `Gemini has no file ${which === undefined ? '' : `${which} `}(uploaded files expire after 48 hours, or it belongs to another project). Upload the image again. Google said: ${googleSays}`,
        options,
      );
    }
    return new AuthError(
      `The Gemini API key is not allowed to do this (${info.status ?? 'PERMISSION_DENIED'}): ${googleSays} Check that the key's project has the Generative Language API enabled, or set another key in GEMINI_API_KEY (${API_KEY_URL}).`,
      options,
    );
  }
  if (status === 404) {
    if (ctx.operation === 'listModels') {
      return new NotFoundError(
        `Gemini answered 404 to the model list: ${googleSays} Check GEMINI_BASE_URL (unset it to use Google).`,
        options,
      );
    }
    if (ctx.fileName !== undefined || ctx.operation === 'getFile' || ctx.operation === 'deleteFile') {
      return new NotFoundError(`Gemini has no file ${ctx.fileName ?? ''}; it may have expired. ${googleSays}`, options);
    }
    return new ModelNotServedError(
      `Gemini does not know model ${ctx.model ?? '(unknown)'} (or it cannot generate content with it): ${googleSays} Check the model id; retired preview ids stopped working on 2026-06-25.`,
      options,
    );
  }
  if (status === 429) {
    return new QuotaExceededError(redact(quotaMessage(info, ctx)), ctx.retryAfterMs ?? info.retryDelayMs, options);
  }
  if (status === 400) {
    return new InvalidInputError(`Gemini rejected the request: ${googleSays}`, options);
  }
  if (status >= 500 || status === 408) {
    const label = info.nonJsonBody ? `${status}, an HTML error page` : `${status} ${info.status ?? ''}`.trim();
    const wording =
      status === 503
        ? 'Gemini is overloaded'
        : status === 408 || status === 504
          ? 'Gemini ran out of time'
          : 'Gemini failed';
    const waitTooLong =
      ctx.waitTooLong === true && ctx.retryAfterMs !== undefined
        ? ` and asks to wait ${seconds(ctx.retryAfterMs)}, longer than this server waits on its own`
        : afterAttempts(ctx.attempts);
    return new UpstreamError(`${wording} (${label})${waitTooLong}; try again in a minute.`, status, options);
  }
  return new UpstreamError(`Gemini answered HTTP ${status}: ${googleSays}`, status, options);
}
