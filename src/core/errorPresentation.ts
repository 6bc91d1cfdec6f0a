/**
 * What a person sees of an error, at each protocol's one error boundary (MCP tool results, HTTP onError):
 * a known error's own message, an unexpected one as a short sentence; both with the request's reference so
 * the log lines can be found. Masked (on public binds, unless turned off for development), an unexpected
 * error shows nothing of itself: no message, stack, SQL or file path. The log keeps the detail.
 * @module
 */
import { AppError, UnexpectedError } from './errors.js';
import { withReference } from './requestContext.js';

export interface ErrorPresentation {
  /** Hide the text of unexpected errors from callers (default: on public binds). */
  masked: boolean;
}

/** True when `error` is not one of ours, i.e. its text was never written for a caller. */
export function isInternalError(error: unknown): boolean {
  return !(error instanceof AppError) || error instanceof UnexpectedError;
}

export function presentError(error: unknown, presentation: ErrorPresentation): string {
  if (!isInternalError(error)) return withReference((error as AppError).message);
  if (presentation.masked) {
    return withReference(
      'Internal error in the image server. Try again; if it persists, report this reference to the server administrator',
    );
  }
  const text = error instanceof Error ? error.message : String(error);
  // A pipeline's stored error text may carry its reference already; put ours only once, at the end.
  return withReference(
    `Internal error in the image server: ${text.replace(/\.?$/, '')}. The server log has the details; try again, and report it if it persists`,
  );
}

/** Whether a server bound to `host` is reachable from other machines (errors masked there by default). */
export function isPublicBind(host: string): boolean {
  return !['127.0.0.1', 'localhost', '::1'].includes(host);
}
