/**
 * Reading Gemini failures: what an error from the SDK says, whatever shape it arrived in (turned into the
 * studio's typed errors by ./failures.ts).
 *
 * The SDK throws `ApiError { status, message }` where `message` is the JSON error body as a string, or a
 * wrapped non-JSON body (`{"error":{"message":"<html…>","code":503,"status":"Service Unavailable"}}`), or
 * for stream errors `got status: UNAVAILABLE. {json}`. Timeouts and cancellations surface as a DOMException
 * `AbortError`, dropped connections as `TypeError('fetch failed')`, malformed 200 bodies as `SyntaxError`.
 * Everything here is duck-typed so this module never has to load the SDK.
 * @module
 */

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
