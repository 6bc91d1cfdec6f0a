/**
 * The first thing every HTTP request meets: it gets its request id (the caller's `X-Request-Id` or
 * `traceparent` when well formed, else a new one), answered in `X-Request-Id`, carried into every log
 * line and error of the request; and it is counted and timed by route (a fixed set of route names, never
 * the raw path, so that scanners cannot blow up the metrics).
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import { requestContextFrom, runInRequest } from '../core/requestContext.js';
import { secondsSince, telemetry } from '../core/telemetry.js';

const ROUTES: Array<[RegExp, string]> = [
  [/^\/mcp$/, '/mcp'],
  [/^\/health$/, '/health'],
  [/^\/metrics$/, '/metrics'],
  [/^\/i\/[^/]+$/, '/i/:file'],
  [/^\/ui(\/|$)/, '/ui'],
  [/^\/api\/auth\//, '/api/auth'],
  [/^\/\.well-known\//, '/.well-known'],
  [/^\/(login|login-error|signed-in|consent)$/, '/sign-in'],
];

export function routeName(path: string): string {
  for (const [pattern, name] of ROUTES) if (pattern.test(path)) return name;
  return 'other';
}

export function observeRequests(): MiddlewareHandler {
  return async (c, next) => {
    const request = requestContextFrom({
      requestId: c.req.header('x-request-id'),
      traceparent: c.req.header('traceparent'),
    });
    const started = performance.now();
    const route = routeName(c.req.path);
    await runInRequest(request, () =>
      telemetry().span(
        `HTTP ${c.req.method} ${route}`,
        { 'http.request.method': c.req.method, 'http.route': route },
        () => next(),
      ),
    );
    try {
      c.res.headers.set('X-Request-Id', request.requestId);
    } catch {
      // Headers of a response passed through from elsewhere can be immutable: answer a copy.
      const headers = new Headers(c.res.headers);
      headers.set('X-Request-Id', request.requestId);
      c.res = new Response(c.res.body, { status: c.res.status, statusText: c.res.statusText, headers });
    }
    telemetry().count('http_requests_total', { route, method: c.req.method, status: c.res.status });
    telemetry().observe('http_request_duration_seconds', { route, method: c.req.method }, secondsSince(started));
  };
}

/**
 * GET /metrics in the Prometheus text format, or 404 when metrics are off here, 401 without the token
 * when one is set (compared in constant time).
 */
export function metricsHandler(options: {
  scrape(): Promise<{ body: string; contentType: string }>;
  token?: string;
}): MiddlewareHandler {
  return async (c) => {
    if (options.token !== undefined) {
      const given = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim() ?? '';
      if (!sameSecret(given, options.token)) {
        return c.json(
          { error: 'unauthorized', message: 'Send the metrics token: Authorization: Bearer <STUDIO_METRICS_TOKEN>.' },
          401,
          {
            'WWW-Authenticate': 'Bearer realm="metrics"',
          },
        );
      }
    }
    const { body, contentType } = await options.scrape();
    return c.body(body, 200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < y.length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
