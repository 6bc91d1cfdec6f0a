/**
 * Reading Gemini failures and turning them into the studio's typed errors.
 *
 * The SDK throws `ApiError { status, message }` where `message` is the JSON error body as a string, or a
 * wrapped non-JSON body (`{"error":{"message":"<html…>","code":503,"status":"Service Unavailable"}}`), or
 * for stream errors `got status: UNAVAILABLE. {json}`. Timeouts and cancellations surface as a DOMException
 * `AbortError`, dropped connections as `TypeError('fetch failed')`, malformed 200 bodies as `SyntaxError`.
 * Everything here is duck-typed so this module never has to load the SDK.
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

export const API_KEY_URL = 'https://aistudio.google.com/apikey';

export const MISSING_KEY_MESSAGE =
  "No Gemini API key is set. Set GEMINI_API_KEY (or GOOGLE_API_KEY) in the server's environment, or start with --emulator for offline synthetic images.";

export interface QuotaViolation {
  quotaId?: string;
  quotaMetric?: string;
  quotaValue?: string;
}

/** What we could learn from a Gemini error, whatever shape it arrived in. */
export interface GoogleErrorInfo {
  httpStatus: number | undefined;
  /** Canonical status (`INVALID_ARGUMENT`, `RESOURCE_EXHAUSTED`, …) or the HTTP status text for non-JSON bodies. */
  status: string | undefined;
  /** Google's message, compacted (HTML reduced to its text). */
  message: string;
  /** `ErrorInfo.reason`, e.g. `API_KEY_INVALID`. */
  reason: string | undefined;
  /** `RetryInfo.retryDelay` in milliseconds. */
  retryDelayMs: number | undefined;
  quotaViolations: QuotaViolation[];
  /** True when the body was not JSON (an HTML page from a proxy or load balancer). */
  nonJsonBody: boolean;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The SDK's `ApiError`, recognised without importing the class (the SDK is loaded lazily). */
export function isApiError(error: unknown): error is Error & { status: number } {
  return (
    error instanceof Error && error.name === 'ApiError' && typeof (error as { status?: unknown }).status === 'number'
  );
}

/** `AbortError` (our timers, the caller's signal) or a `TimeoutError` from `AbortSignal.timeout`. */
export function isAbortError(error: unknown): boolean {
  return (
    (error instanceof Error || (typeof DOMException !== 'undefined' && error instanceof DOMException)) &&
    ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError')
  );
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * A dropped or refused connection. Undici reports these as `TypeError('fetch failed')` (before the
 * headers) or `TypeError('terminated')` (while reading the body), with the socket error as `cause`.
 */
export function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof TypeError && (error.message === 'fetch failed' || error.message === 'terminated')) return true;
  const code = asString((error as { code?: unknown }).code);
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  return error.cause !== undefined && error.cause !== error && isNetworkError(error.cause);
}

/** A 200 whose body was not valid JSON (truncated or garbled): `response.json()` throws a SyntaxError. */
export function isMalformedBody(error: unknown): boolean {
  return error instanceof SyntaxError;
}

/** Protobuf Duration (`"15s"`, `"1.5s"`, `"0.200s"`) → milliseconds. */
export function parseDurationMs(value: unknown): number | undefined {
  if (typeof value === 'object' && value !== null) {
    // The JSON mapping is a string, but tolerate `{seconds, nanos}` too.
    const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
    const s = Number(seconds ?? 0);
    const n = Number(nanos ?? 0);
    return Number.isFinite(s) && Number.isFinite(n) ? Math.round(s * 1000 + n / 1e6) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)s\s*$/.exec(value);
  return match?.[1] === undefined ? undefined : Math.round(Number(match[1]) * 1000);
}

/** `Retry-After`: delta seconds or an HTTP date. */
export function parseRetryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function looksLikeHtml(text: string): boolean {
  return /^\s*<(?:!doctype|html|head|body|\?xml)/i.test(text) || /<\/(?:html|body|title)>/i.test(text);
}

/** Reduces an HTML error page to its title or text, so messages stay one readable line. */
function htmlToText(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const text = (title ?? html)
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
  return compact(text, 200);
}

export function compact(text: string, max = 500): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** Finds the `{error: {...}}` envelope in an `ApiError.message`, whichever way it was wrapped. */
function findEnvelope(message: string): Json | undefined {
  let parsed = tryJson(message);
  if (parsed === undefined) {
    // Stream errors: `got status: UNAVAILABLE. {"error":{…}}`.
    const match = /^got status: [^.]*\.\s*([\s\S]*)$/.exec(message);
    if (match?.[1] !== undefined) parsed = tryJson(match[1]);
  }
  if (!isObject(parsed)) return undefined;
  let error = isObject(parsed.error) ? parsed.error : undefined;
  // Doubly encoded (js-genai#577): the SDK wrapped a JSON error body it received with a non-JSON
  // content type, so the real envelope is a string inside `error.message`.
  const inner = error === undefined ? undefined : asString(error.message);
  if (inner?.trimStart().startsWith('{')) {
    const innerParsed = tryJson(inner);
    if (isObject(innerParsed) && isObject(innerParsed.error)) error = innerParsed.error;
  }
  return error;
}

/** Parses any error from a Gemini call. Never throws. */
export function parseGoogleError(error: unknown): GoogleErrorInfo {
  const httpStatus = isApiError(error) ? error.status : undefined;
  const raw = error instanceof Error ? error.message : String(error);
  const envelope = findEnvelope(raw);
  const details = Array.isArray(envelope?.details) ? envelope.details.filter(isObject) : [];
  const detail = (type: string) => details.find((d) => asString(d['@type'])?.endsWith(type));

  let message = asString(envelope?.message) ?? raw;
  const nonJsonBody = looksLikeHtml(message);
  message = nonJsonBody ? htmlToText(message) : compact(message);

  const violations = detail('QuotaFailure')?.violations;
  const quotaViolations: QuotaViolation[] = Array.isArray(violations)
    ? violations.filter(isObject).map((v) => {
        const out: QuotaViolation = {};
        const quotaId = asString(v.quotaId);
        const quotaMetric = asString(v.quotaMetric);
        const quotaValue = v.quotaValue === undefined ? undefined : String(v.quotaValue);
        if (quotaId !== undefined) out.quotaId = quotaId;
        if (quotaMetric !== undefined) out.quotaMetric = quotaMetric;
        if (quotaValue !== undefined) out.quotaValue = quotaValue;
        return out;
      })
    : [];

  let retryDelayMs = parseDurationMs(detail('RetryInfo')?.retryDelay);
  if (retryDelayMs === undefined && httpStatus === 429) {
    // Bare 429s sometimes only say "Please retry in 15.8s." in the message.
    const hint = /retry in (\d+(?:\.\d+)?)\s*s/i.exec(message)?.[1];
    if (hint !== undefined) retryDelayMs = Math.round(Number(hint) * 1000);
  }

  const codeFromEnvelope = typeof envelope?.code === 'number' ? envelope.code : undefined;
  return {
    httpStatus: httpStatus ?? codeFromEnvelope,
    status: asString(envelope?.status),
    message,
    reason: asString(detail('ErrorInfo')?.reason),
    retryDelayMs,
    quotaViolations,
    nonJsonBody,
  };
}

/** Statuses worth another attempt. 400/401/403/404 never are: the same request fails the same way. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** Removes anything that looks like a Google API key (and the configured key verbatim) from text. */
export function redactSecrets(text: string, apiKey?: string): string {
  let out = text.replace(/AIza[0-9A-Za-z_-]{30,}/g, '[redacted key]');
  if (apiKey !== undefined && apiKey.length >= 6) out = out.split(apiKey).join('[redacted key]');
  return out;
}

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
export function toAppError(error: unknown, ctx: FailureContext): AppError {
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
