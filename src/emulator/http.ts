/**
 * node:http plumbing shared by the routes: JSON replies with Google's content type, body reading, and waits
 * that end early when the client goes away (so latency and hangs never outlive the connection).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GoogleError } from './errors.js';

export const JSON_TYPE = 'application/json; charset=UTF-8';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  pretty = true,
): void {
  if (res.headersSent || res.destroyed) return;
  // Google pretty-prints REST bodies with two-space indents; clients must not depend on compact JSON.
  const text = pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(text),
    vary: 'Origin, X-Origin, Referer',
    server: 'scaffolding on HTTPServer2',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: GoogleError, stream = false): void {
  sendJson(res, error.code, error.toJSON(), {
    ...(stream ? { 'content-type': 'text/event-stream' } : {}),
    ...error.headers,
  });
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Resolves true after `ms`, or false as soon as `signal` aborts (client disconnected or server closing). */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Never resolves true: waits until the client disconnects or the server closes. */
export function waitForDisconnect(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
