/**
 * The Gemini client: the only place in the project that talks to `@google/genai`. Callers see our ports
 * and typed errors, never SDK types.
 * @module
 */

import type { GoogleGenAI } from '@google/genai';
import { AdaptiveLimit } from '../core/concurrency/adaptiveLimit.js';
import { AuthError, InvalidInputError, NotFoundError } from '../core/errors.js';
import type {
  GeminiContent,
  GenerateImageRequest,
  GenerateImageResult,
  ImageGenerator,
  TokenUsage,
  UploadedFile,
} from '../core/ports.js';
import { telemetry } from '../core/telemetry.js';
import { MISSING_KEY_MESSAGE } from './errors.js';
import { normaliseFileName, toUploadedFile } from './files.js';
import { buildJsonCall, jsonText, noJsonAnswer, parseJsonText } from './json.js';
import { buildImageCall, toSdkContents } from './request.js';
import { readImageResponse, readUsage } from './response.js';
import { type AttemptContext, type LogFn, type RetryOptions, type RetryPolicy, withRetry } from './retry.js';
import { createSdkClient } from './sdk.js';

export interface GeminiClientOptions {
  /**
   * Resolved by the caller from GEMINI_API_KEY / GOOGLE_API_KEY. Without it every call throws AuthError
   * (we never let the SDK fall back to Application Default Credentials, which means network calls).
   */
  apiKey?: string;
  /** GEMINI_BASE_URL (the emulator's URL in tests). */
  baseUrl?: string;
  /** Vertex AI mode: express mode with `apiKey`, or `project`/`location` with ADC. */
  vertex?: { project?: string; location?: string; apiKey?: string };
  /** Per attempt; default 120 000. */
  timeoutMs?: number;
  /** Including the first; default 4. */
  maxAttempts?: number;
  /** Default 1000. */
  initialBackoffMs?: number;
  /** Default 30 000. */
  maxBackoffMs?: number;
  /**
   * If the server asks to wait longer than this (RetryInfo / Retry-After), give up at once with
   * QuotaExceededError carrying retryAfterMs. Default 60 000.
   */
  maxRetryDelayMs?: number;
  /** Jitter source (tests). */
  random?: () => number;
  /**
   * The most generate calls in flight per model on this key (STUDIO_CONCURRENCY); below it the adaptive
   * limit (core/concurrency/adaptiveLimit.ts) finds what Google accepts. Default: no cap but the limit's own.
   */
  maxConcurrency?: number;
  log?: LogFn;
}

export interface GenerateJsonRequest {
  model: string;
  systemInstruction?: string;
  prompt: string | GeminiContent[];
  /** Standard JSON Schema, sent verbatim as `responseJsonSchema`. */
  jsonSchema: object;
  signal?: AbortSignal;
}

export interface UploadFileRequest {
  data: Buffer;
  mimeType: string;
  displayName?: string;
  signal?: AbortSignal;
}

export interface GeminiClient extends ImageGenerator {
  generateImage(req: GenerateImageRequest): Promise<GenerateImageResult>;
  /**
   * Text model structured output (`responseJsonSchema`); returns parsed JSON (the caller validates it with
   * zod). `T` only documents the expected shape at the call site: the value stays `unknown` until validated.
   */
  // biome-ignore lint/correctness/noUnusedVariables: part of the agreed interface; see the comment above.
  generateJson<T>(req: GenerateJsonRequest): Promise<{ value: unknown; usage: TokenUsage }>;
  uploadFile(req: UploadFileRequest): Promise<UploadedFile>;
  /** `undefined` when Gemini answers 403/404 (expired or unknown). */
  getFile(name: string): Promise<UploadedFile | undefined>;
  /** Idempotent: deleting a file that is already gone (expired, unknown) succeeds. */
  deleteFile(name: string): Promise<void>;
  listFiles(pageSize?: number): AsyncIterable<UploadedFile>;
  /**
   * The models this key can use (`GET /models`, every page): the cheapest authenticated call, used by
   * `doctor` to check a key. Throws AuthError for a missing or rejected key.
   */
  listModels(options?: { signal?: AbortSignal }): Promise<GeminiModelInfo[]>;
}

/** One entry of `GET /models`, without SDK types. */
export interface GeminiModelInfo {
  /** The wire id, without the `models/` prefix. */
  id: string;
  displayName?: string;
  /** e.g. `generateContent`; empty when Gemini does not say. */
  supportedActions: string[];
}

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_ATTEMPTS = 4;
export const DEFAULT_INITIAL_BACKOFF_MS = 1000;
export const DEFAULT_MAX_BACKOFF_MS = 30_000;
export const DEFAULT_MAX_RETRY_DELAY_MS = 60_000;

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

export function createGeminiClient(options: GeminiClientOptions): GeminiClient {
  const policy: RetryPolicy = {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
    initialBackoffMs: options.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS,
    maxBackoffMs: options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS,
    maxRetryDelayMs: options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS,
    random: options.random ?? Math.random,
  };
  const log = options.log;
  const vertex = options.vertex;
  const apiKey = nonEmpty(vertex === undefined ? options.apiKey : vertex.apiKey);

  let sdk: Promise<GoogleGenAI> | undefined;
  async function client(): Promise<GoogleGenAI> {
    // Checked before anything else so a missing key costs no network request (and no SDK load).
    if (vertex === undefined && apiKey === undefined) throw new AuthError(MISSING_KEY_MESSAGE);
    if (sdk === undefined) {
      sdk = createSdkClient({
        ...(apiKey === undefined ? {} : { apiKey }),
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
        ...(vertex === undefined ? {} : { vertex: { ...vertex, ...(apiKey === undefined ? {} : { apiKey }) } }),
        timeoutMs: policy.timeoutMs,
        ...(log === undefined ? {} : { log }),
      });
      sdk.catch(() => {
        sdk = undefined;
      });
    }
    return sdk;
  }

  // One adaptive limit per model on this key: Google's quotas are per project and model.
  const gates = new Map<string, AdaptiveLimit>();
  const gateFor = (model: string | undefined): AdaptiveLimit | undefined => {
    if (model === undefined) return undefined;
    let gate = gates.get(model);
    if (gate === undefined) {
      gate = new AdaptiveLimit(options.maxConcurrency === undefined ? {} : { max: options.maxConcurrency });
      gates.set(model, gate);
    }
    return gate;
  };

  function retrying<T>(
    operation: (ai: GoogleGenAI, ctx: AttemptContext) => Promise<T>,
    context: RetryOptions['context'],
    extra: Pick<RetryOptions, 'signal' | 'onRetry'> = {},
  ): Promise<{ value: T; attempts: number }> {
    // One span per Gemini call, its retries included.
    return telemetry().span(
      `gemini ${context.operation}`,
      {
        'gen_ai.system': 'gemini',
        'gen_ai.operation.name': context.operation,
        'gen_ai.request.model': context.model ?? '',
      },
      () =>
        client().then((ai) =>
          withRetry((ctx) => operation(ai, ctx), {
            policy,
            context: { ...context, ...(apiKey === undefined ? {} : { apiKey }) },
            ...(gateFor(context.model) === undefined ? {} : { gate: gateFor(context.model) }),
            ...(extra.signal === undefined ? {} : { signal: extra.signal }),
            ...(extra.onRetry === undefined ? {} : { onRetry: extra.onRetry }),
            ...(log === undefined ? {} : { log }),
          }),
        ),
    );
  }

  function requireFilesApi(): void {
    if (vertex !== undefined) {
      throw new InvalidInputError(
        'The Gemini Files API is not available with Vertex AI. Send reference images inline instead.',
      );
    }
  }

  return {
    async generateImage(req) {
      const call = buildImageCall(req);
      const started = Date.now();
      const { value: response, attempts } = await retrying(
        (ai, ctx) =>
          ai.models.generateContent({
            model: call.model,
            contents: toSdkContents(call.contents),
            config: { ...call.config, abortSignal: ctx.signal, httpOptions: { fetch: ctx.fetch } },
          }),
        { operation: 'generate', model: req.model },
        {
          ...(req.signal === undefined ? {} : { signal: req.signal }),
          ...(req.onRetry ? { onRetry: req.onRetry } : {}),
        },
      );
      const result = readImageResponse(response, call.contents);
      log?.({
        level: 'info',
        msg: 'gemini image generated',
        model: req.model,
        attempts,
        ms: Date.now() - started,
        bytes: result.data.length,
        mimeType: result.mimeType,
        imageTokens: result.usage.imageTokens,
      });
      return { ...result, attempts };
    },

    async generateJson(req) {
      const call = buildJsonCall(req);
      const { value: response } = await retrying(
        (ai, ctx) =>
          ai.models.generateContent({
            model: call.model,
            contents: toSdkContents(call.contents),
            config: { ...call.config, abortSignal: ctx.signal, httpOptions: { fetch: ctx.fetch } },
          }),
        { operation: 'json', model: req.model },
        req.signal === undefined ? {} : { signal: req.signal },
      );
      const text = jsonText(response);
      if (text === undefined) throw noJsonAnswer(response);
      return { value: parseJsonText(text), usage: readUsage(response) };
    },

    async uploadFile(req) {
      requireFilesApi();
      const { value: file } = await retrying(
        (ai, ctx) =>
          ai.files.upload({
            file: new Blob([new Uint8Array(req.data)], { type: req.mimeType }),
            config: {
              mimeType: req.mimeType,
              ...(req.displayName === undefined ? {} : { displayName: req.displayName }),
              abortSignal: ctx.signal,
              httpOptions: { fetch: ctx.fetch },
            },
          }),
        { operation: 'upload' },
        req.signal === undefined ? {} : { signal: req.signal },
      );
      return toUploadedFile(file, { mimeType: req.mimeType, sizeBytes: req.data.length });
    },

    async getFile(name) {
      requireFilesApi();
      const fileName = normaliseFileName(name);
      try {
        const { value: file } = await retrying(
          (ai, ctx) =>
            ai.files.get({ name: fileName, config: { abortSignal: ctx.signal, httpOptions: { fetch: ctx.fetch } } }),
          { operation: 'getFile', fileName },
        );
        return toUploadedFile(file);
      } catch (error) {
        // Unknown, expired and foreign files all answer 403 (or 404): to us they are simply not there.
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
    },

    async deleteFile(name) {
      requireFilesApi();
      const fileName = normaliseFileName(name);
      try {
        await retrying(
          (ai, ctx) =>
            ai.files.delete({ name: fileName, config: { abortSignal: ctx.signal, httpOptions: { fetch: ctx.fetch } } }),
          { operation: 'deleteFile', fileName },
        );
      } catch (error) {
        // Already gone (expired after 48 h, or deleted before): the caller's goal is met.
        if (error instanceof NotFoundError) {
          log?.({ level: 'debug', msg: 'gemini file already gone', fileName });
          return;
        }
        throw error;
      }
    },

    listFiles(pageSize = 100) {
      return listAllFiles(pageSize);
    },

    async listModels(listOptions = {}) {
      const models: GeminiModelInfo[] = [];
      let pageToken: string | undefined;
      do {
        const token = pageToken;
        const { value: pager } = await retrying(
          (ai, ctx) =>
            ai.models.list({
              config: {
                pageSize: 1000,
                ...(token === undefined ? {} : { pageToken: token }),
                abortSignal: ctx.signal,
                httpOptions: { fetch: ctx.fetch },
              },
            }),
          { operation: 'listModels' },
          listOptions.signal === undefined ? {} : { signal: listOptions.signal },
        );
        for (const model of pager.page) {
          if (model.name === undefined) continue;
          models.push({
            id: model.name.replace(/^(models|publishers\/google\/models)\//, ''),
            ...(model.displayName === undefined ? {} : { displayName: model.displayName }),
            supportedActions: model.supportedActions ?? [],
          });
        }
        pageToken = pager.hasNextPage() ? pager.params.config?.pageToken : undefined;
      } while (pageToken !== undefined && pageToken !== '');
      return models;
    },
  };

  /** Pages through the Files API, each page request retried on its own. */
  async function* listAllFiles(pageSize: number): AsyncGenerator<UploadedFile> {
    requireFilesApi();
    let pageToken: string | undefined;
    do {
      const token = pageToken;
      const { value: pager } = await retrying(
        (ai, ctx) =>
          ai.files.list({
            config: {
              pageSize,
              ...(token === undefined ? {} : { pageToken: token }),
              abortSignal: ctx.signal,
              httpOptions: { fetch: ctx.fetch },
            },
          }),
        { operation: 'listFiles' },
      );
      for (const file of pager.page) {
        if (file.name !== undefined && file.uri !== undefined) yield toUploadedFile(file);
      }
      // The pager stores the next page's token in its params (empty when this was the last page).
      pageToken = pager.hasNextPage() ? pager.params.config?.pageToken : undefined;
    } while (pageToken !== undefined && pageToken !== '');
  }
}
