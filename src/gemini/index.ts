/**
 * Public surface of the Gemini adapter. Nothing here exposes `@google/genai` types.
 * @module
 */

export {
  createGeminiClient,
  DEFAULT_INITIAL_BACKOFF_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_BACKOFF_MS,
  DEFAULT_MAX_RETRY_DELAY_MS,
  DEFAULT_TIMEOUT_MS,
  type GeminiClient,
  type GeminiClientOptions,
  type GeminiModelInfo,
  type GenerateJsonRequest,
  type UploadFileRequest,
} from './client.js';
export { MISSING_KEY_MESSAGE, parseDurationMs, parseRetryAfterMs, redactSecrets } from './errors.js';
export { modelThinks, promptText } from './request.js';
