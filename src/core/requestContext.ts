/**
 * The request a piece of work belongs to: each HTTP request and each tool call gets an id (taken from the
 * caller's `X-Request-Id` or `traceparent` when present), carried by AsyncLocalStorage into every log line,
 * every pipeline it creates and every error a person sees ("reference: …"), so that a complaint finds its
 * log lines.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

export interface RequestContext {
  requestId: string;
  /** The W3C `traceparent` the caller sent, for the trace to continue theirs. */
  traceparent?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` as part of the request `context` (nested calls see the innermost). */
export function runInRequest<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** A fresh id: `req_` and 20 hex digits. */
export function newRequestId(): string {
  return `req_${randomBytes(10).toString('hex')}`;
}

const SAFE_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/**
 * The request's id from what the caller sent: a well-formed `X-Request-Id` (so a proxy's id is kept), else
 * the trace id of a valid `traceparent`, else a new one. Anything odd (too long, control characters, which
 * could forge log lines) is ignored.
 */
export function requestContextFrom(headers: {
  requestId?: string | null;
  traceparent?: string | null;
}): RequestContext {
  const traceparent = headers.traceparent?.trim().toLowerCase();
  const trace = traceparent ? TRACEPARENT.exec(traceparent) : null;
  const validTrace = trace && !/^0+$/.test(trace[1] ?? '') && !/^0+$/.test(trace[2] ?? '') ? traceparent : undefined;
  const given = headers.requestId?.trim();
  const requestId = given && SAFE_ID.test(given) ? given : trace?.[1] && validTrace ? trace[1] : newRequestId();
  return { requestId, ...(validTrace ? { traceparent: validTrace } : {}) };
}

/** `message` with the request's reference appended, for errors people see. */
export function withReference(message: string, requestId = currentRequestId()): string {
  // A message that carries a reference already (a pipeline's own) keeps it.
  if (!requestId || message.includes('(reference: ')) return message;
  return `${message} (reference: ${requestId})`;
}
