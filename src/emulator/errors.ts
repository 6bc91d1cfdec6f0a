/**
 * Google's error envelopes (`google.rpc.Status`), with the messages and detail types seen in real traffic, so
 * the product's error mapping is exercised against the real shapes. Route code throws {@link GoogleError};
 * the server turns it into the JSON response.
 * @module
 */

export type RpcDetail = Record<string, unknown> & { '@type': string };

export class GoogleError extends Error {
  readonly code: number;
  readonly status: string;
  readonly details: RpcDetail[] | undefined;
  readonly headers: Record<string, string>;

  constructor(code: number, status: string, message: string, details?: RpcDetail[], headers?: Record<string, string>) {
    super(message);
    this.name = 'GoogleError';
    this.code = code;
    this.status = status;
    this.details = details;
    this.headers = headers ?? {};
  }

  toJSON(): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = { code: this.code, message: this.message, status: this.status };
    if (this.details) error.details = this.details;
    return { error };
  }
}

const TYPE = 'type.googleapis.com/google.rpc.';

export function invalidArgument(message: string, details?: RpcDetail[]): GoogleError {
  return new GoogleError(400, 'INVALID_ARGUMENT', message, details);
}

/** The `* Request.field: reason\n` style used by Google's request validator. */
export function fieldError(field: string, reason: string): GoogleError {
  return invalidArgument(`* GenerateContentRequest.${field}: ${reason}\n`);
}

export function badApiKey(): GoogleError {
  const message = 'API key not valid. Please pass a valid API key.';
  return invalidArgument(message, [
    {
      '@type': `${TYPE}ErrorInfo`,
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
      metadata: { service: 'generativelanguage.googleapis.com' },
    },
    { '@type': `${TYPE}LocalizedMessage`, locale: 'en-US', message },
  ]);
}

/** `at` is the proto path of the enclosing message, e.g. `generation_config`; empty for the request root. */
export function unknownField(name: string, at: string): GoogleError {
  const where = at ? ` at '${at}'` : '';
  const description = `Invalid JSON payload received. Unknown name "${name}"${where}: Cannot find field.`;
  return invalidArgument(description, [
    { '@type': `${TYPE}BadRequest`, fieldViolations: [{ field: at, description }] },
  ]);
}

export function invalidEnum(field: string, protoType: string, value: unknown): GoogleError {
  const description = `Invalid value at '${field}' (type.googleapis.com/google.ai.generativelanguage.v1beta.${protoType}), ${JSON.stringify(value)}`;
  return invalidArgument(description, [{ '@type': `${TYPE}BadRequest`, fieldViolations: [{ field, description }] }]);
}

export function invalidJson(): GoogleError {
  const description = 'Invalid JSON payload received. Unexpected token.';
  return invalidArgument(description, [{ '@type': `${TYPE}BadRequest`, fieldViolations: [{ description }] }]);
}

export function modelNotFound(model: string, version: string, method: string): GoogleError {
  return new GoogleError(
    404,
    'NOT_FOUND',
    `models/${model} is not found for API version ${version}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
    [{ '@type': `${TYPE}DebugInfo`, detail: `[ORIGINAL ERROR] generic::not_found: models/${model} is not found` }],
  );
}

export function notFound(message = 'Method not found.'): GoogleError {
  return new GoogleError(404, 'NOT_FOUND', message);
}

export function fileDenied(id: string): GoogleError {
  return new GoogleError(
    403,
    'PERMISSION_DENIED',
    `You do not have permission to access the File ${id} or it may not exist.`,
  );
}

export interface QuotaOptions {
  model: string;
  retryDelay?: string;
  retryAfterSeconds?: number;
  /** The quota's value, as Google writes it in the message and in QuotaFailure; default 10. */
  limit?: number;
}

export function quotaExceeded(options: QuotaOptions): GoogleError {
  const retryDelay = options.retryDelay ?? '1s';
  const metric = 'generativelanguage.googleapis.com/generate_content_paid_tier_requests';
  const seconds = Number.parseFloat(retryDelay) || 1;
  const message =
    'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/rate-limit. ' +
    `\n* Quota exceeded for metric: ${metric}, limit: ${options.limit ?? 10}, model: ${options.model}\nPlease retry in ${seconds}s.`;
  const headers: Record<string, string> = {};
  if (options.retryAfterSeconds !== undefined) headers['retry-after'] = String(options.retryAfterSeconds);
  return new GoogleError(
    429,
    'RESOURCE_EXHAUSTED',
    message,
    [
      {
        '@type': `${TYPE}QuotaFailure`,
        violations: [
          {
            quotaMetric: metric,
            quotaId: 'GenerateRequestsPerMinutePerProjectPerModel',
            quotaDimensions: { location: 'global', model: options.model },
            quotaValue: String(options.limit ?? 10),
          },
        ],
      },
      {
        '@type': `${TYPE}Help`,
        links: [
          {
            description: 'Learn more about Gemini API quotas',
            url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
          },
        ],
      },
      { '@type': `${TYPE}RetryInfo`, retryDelay },
    ],
    headers,
  );
}

export function internalError(): GoogleError {
  return new GoogleError(
    500,
    'INTERNAL',
    'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  );
}

/**
 * 503 UNAVAILABLE. Today's wording (gemini-api.md item 7) is the default; `older` is the one still quoted in
 * client code and §7 of the reference.
 */
export function overloaded(wording: 'current' | 'older' = 'current'): GoogleError {
  const message =
    wording === 'current'
      ? 'This model is currently experiencing high demand. Spikes in demand are usually temporary. Please try again later.'
      : 'The model is overloaded. Please try again later.';
  return new GoogleError(503, 'UNAVAILABLE', message);
}

/**
 * 504 DEADLINE_EXCEEDED: documented on Google's troubleshooting page as retryable ("the service is unable to
 * finish processing within the deadline"); seen in the field on generateContent (letta-ai/letta PR #2861).
 */
export function deadlineExceeded(): GoogleError {
  return new GoogleError(504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.');
}

/**
 * A request without any key: 403, not the 400 of a wrong key (googleapis/js-genai#898;
 * PublicAffairs/openai-gemini#92 shows the whole body).
 */
export function unregisteredCaller(): GoogleError {
  return new GoogleError(
    403,
    'PERMISSION_DENIED',
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  );
}

/** What a Google front end (or a proxy in front of it) serves when the backend is down: HTML, not JSON. */
export const HTML_503 =
  '<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">\n' +
  '  <title>Error 503 (Service Unavailable)!!1</title>\n  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>\n' +
  '  <p><b>503.</b> <ins>That’s an error.</ins>\n  <p>The service you requested is not available at this time. <ins>That’s all we know.</ins>\n';
