/**
 * Lazy construction of the `@google/genai` client. The SDK is large (several MB of JS); importing it at
 * start-up would blow the server's cold-start budget, so it is loaded on the first Gemini call and cached.
 * Only type imports appear at the top: they are erased at compile time.
 * @module
 */

import type { GoogleGenAI, GoogleGenAIOptions } from '@google/genai';

type GenAIModule = typeof import('@google/genai');

let modulePromise: Promise<GenAIModule> | undefined;

/** Imports the SDK once per process; later calls share the same promise. */
export function loadGenAI(): Promise<GenAIModule> {
  if (modulePromise === undefined) {
    modulePromise = import('@google/genai').catch((error: unknown) => {
      // Let a later call try again (e.g. a transient file-system error) instead of caching the failure.
      modulePromise = undefined;
      throw error;
    });
  }
  return modulePromise;
}

export interface SdkSettings {
  apiKey?: string;
  baseUrl?: string;
  timeoutMs: number;
  vertex?: { project?: string; location?: string; apiKey?: string };
  log?: (event: { level: 'debug' | 'info' | 'warn'; msg: string; [k: string]: unknown }) => void;
}

/** The constructor options for one client. Exported for inspection; never includes retry options. */
export function sdkOptions(settings: SdkSettings): GoogleGenAIOptions {
  const httpOptions = {
    ...(settings.baseUrl === undefined ? {} : { baseUrl: settings.baseUrl }),
    // Per attempt (the SDK arms a fresh timer per request) and sent as `x-server-timeout`. We also abort
    // from our own timer, which is what lets us tell a timeout from a caller cancellation.
    timeout: settings.timeoutMs,
    // Deliberately no `retryOptions`: any object there switches on the SDK's retries, which ignore
    // RetryInfo/Retry-After. `retry.ts` does the retrying.
  };
  if (settings.vertex !== undefined) {
    const { project, location, apiKey } = settings.vertex;
    // Vertex keeps the SDK's default version (`v1beta1`); `v1beta` does not exist there.
    return {
      vertexai: true,
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(apiKey === undefined && project !== undefined ? { project } : {}),
      ...(apiKey === undefined && location !== undefined ? { location } : {}),
      httpOptions,
    };
  }
  // `vertexai: false` pins the backend so GOOGLE_GENAI_USE_VERTEXAI in the environment cannot flip it.
  // Always `v1beta`: SDK 3.x defaults to `v1`, which rejects the image fields.
  return { vertexai: false, apiKey: settings.apiKey, apiVersion: 'v1beta', httpOptions };
}

/**
 * Builds the SDK client. The constructor may `console.debug` (which is stdout in Node) when Vertex
 * settings and an API key from the environment conflict; stdout is the MCP stdio channel, so those
 * lines are routed to our logger for the duration of the (synchronous) constructor.
 */
export async function createSdkClient(settings: SdkSettings): Promise<GoogleGenAI> {
  const { GoogleGenAI: GoogleGenAIClass } = await loadGenAI();
  const options = sdkOptions(settings);
  const sink = globalThis.console;
  const originalDebug = sink.debug;
  const originalWarn = sink.warn;
  sink.debug = (...args: unknown[]) => settings.log?.({ level: 'debug', msg: args.map(String).join(' ') });
  // The constructor reads the key variables itself and warns "Both GOOGLE_API_KEY and GEMINI_API_KEY are
  // set. Using GOOGLE_API_KEY." even though the key we pass wins (GEMINI_API_KEY first, as doctor says):
  // a false statement on stderr, kept at debug level here. Other warnings go on as warnings.
  sink.warn = (...args: unknown[]) => {
    const msg = args.map(String).join(' ');
    const misleading = /Both GOOGLE_API_KEY and GEMINI_API_KEY are set/.test(msg) && options.apiKey !== undefined;
    if (misleading) {
      settings.log?.({
        level: 'debug',
        msg: 'SDK: both key variables are set; the key passed to it (GEMINI_API_KEY) is used',
      });
    } else settings.log?.({ level: 'warn', msg });
  };
  try {
    return new GoogleGenAIClass(options);
  } finally {
    sink.debug = originalDebug;
    sink.warn = originalWarn;
  }
}
