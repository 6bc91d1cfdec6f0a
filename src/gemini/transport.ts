/**
 * The `fetch` we hand the SDK (`httpOptions.fetch`) for each attempt. It exists for two reasons:
 *
 * - `ApiError` carries only the status and body, so a `Retry-After` header would be lost; this fetch
 *   records the headers of every non-2xx response for the retry loop.
 * - Supplying a custom fetch makes the SDK skip its own undici dispatcher, which lifts undici's default
 *   300 s headers/body timeouts. We lift them the same way, because our per-attempt timer (which may be
 *   configured above 300 s) is the only deadline that should apply.
 * @module
 */

const UNDICI_GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

interface Dispatcher {
  dispatch(options: Record<string, unknown>, handler: unknown): boolean;
}

/** Node's global undici dispatcher with the headers/body timeouts switched off, or undefined elsewhere. */
function noTimeoutDispatcher(): Dispatcher | undefined {
  const lookup = () => (globalThis as Record<symbol, unknown>)[UNDICI_GLOBAL_DISPATCHER] as Dispatcher | undefined;
  // Node initialises undici lazily; constructing Headers forces it.
  if (lookup() === undefined && typeof Headers !== 'undefined') new Headers();
  const global = lookup();
  if (global === undefined || typeof global.dispatch !== 'function') return undefined;
  return {
    dispatch: (options, handler) => global.dispatch({ ...options, headersTimeout: 0, bodyTimeout: 0 }, handler),
  };
}

/** A fetch that reports the headers of error responses through `onErrorHeaders`. */
export function recordingFetch(onErrorHeaders: (headers: Headers) => void): typeof fetch {
  return async (input, init) => {
    const dispatcher = init !== undefined && 'dispatcher' in init ? undefined : noTimeoutDispatcher();
    const response = await globalThis.fetch(
      input,
      dispatcher === undefined ? init : ({ ...init, dispatcher } as RequestInit),
    );
    if (!response.ok) onErrorHeaders(response.headers);
    return response;
  };
}
