/**
 * `:generateContent`, `:streamGenerateContent` and `:countTokens`. Order of events per call: model lookup →
 * fault selection (queued, then prompt directives) → injected latency → infrastructure faults → validation →
 * answer (with content faults: block, refuse, text-only, stream-error).
 * @module
 */
import { type EmulatorContext, header, type RouteRequest } from '../context.js';
import {
  badApiKey,
  deadlineExceeded,
  GoogleError,
  HTML_503,
  internalError,
  modelNotFound,
  overloaded,
  quotaExceeded,
} from '../errors.js';
import { sendJson, sleep, waitForDisconnect } from '../http.js';
import { findModel, findServedModel } from '../models.js';
import type { Answer } from '../response.js';
import { blockedResponse, imageAnswer, refusedResponse, textAnswer, toResponse, toStreamChunks } from '../response.js';
import { sourceImageOf } from '../sourceImage.js';
import type { Fault } from '../types.js';
import { promptTokens } from '../usage.js';
import type { GenerateRequest } from '../validate.js';
import { validateGenerate } from '../validate.js';

export type GenerateMethod = 'generateContent' | 'streamGenerateContent' | 'countTokens';

const CONTENT_FAULTS = new Set(['block', 'refuse', 'text-only', 'stream-error']);

export async function handleGenerate(
  ctx: EmulatorContext,
  rq: RouteRequest,
  modelId: string,
  method: GenerateMethod,
  version: string,
  vertex = false,
): Promise<void> {
  // A shut-down id gets the same 404 as an id that never existed (the -preview ids died this way in June 2026).
  const model = findServedModel(modelId, ctx.clock.now(), ctx.extraModels);
  if (!model) throw modelNotFound(modelId.replace(/^models\//, ''), version, method);
  const body = rq.json();
  if (method === 'countTokens') return countTokens(ctx, rq, body, model.id);

  const verdict = ctx.quota.admit(header(rq, 'x-goog-api-key') ?? rq.query.get('key') ?? '');
  if (!verdict.admitted) {
    // Google writes the delay as a protobuf Duration with fractional seconds ("15.8s" in the message, "15s"
    // or "1.5s" in RetryInfo).
    const seconds = Math.ceil(verdict.retryDelayMs / 100) / 10;
    throw quotaExceeded({ model: model.id, retryDelay: `${seconds}s`, limit: verdict.limit });
  }

  const started = performance.now();
  let waited = 0;
  ctx.stats.generateCalls += 1;
  ctx.stats.inFlight += 1;
  ctx.stats.maxInFlight = Math.max(ctx.stats.maxInFlight, ctx.stats.inFlight);
  const stream = method === 'streamGenerateContent';
  try {
    const prompt = looseLastUserText(body);
    const queued = ctx.faults.take(model.id, prompt);
    const directive = ctx.directives.resolve(prompt);
    const fault = queued && queued.kind !== 'latency' ? queued : directive.fault;
    // Latency adds up: global setting, the queued fault's own delay, and `[emulator:latency=N]`.
    const latency = ctx.faults.latencyMs() + (queued?.latencyMs ?? 0) + directive.latencyMs;
    if (fault) ctx.log(`fault ${fault.kind} on ${model.id}`);

    const before = performance.now();
    const alive = await sleep(latency, rq.signal);
    waited += performance.now() - before;
    if (!alive) return;

    if (fault && !CONTENT_FAULTS.has(fault.kind)) {
      const hangStart = performance.now();
      await infrastructureFault(rq, fault, model.id, stream);
      waited += performance.now() - hangStart;
      return;
    }

    const request = validateGenerate(body, model, ctx.files, vertex);
    if (fault?.kind === 'block') {
      return reply(rq, stream, blockedResponse(request, fault.reason ?? 'PROHIBITED_CONTENT'));
    }
    if (fault?.kind === 'refuse') {
      return reply(rq, stream, refusedResponse(request, fault.reason ?? 'IMAGE_SAFETY'));
    }
    if (fault?.kind === 'stream-error' && !stream) throw overloaded();

    const answer = await buildAnswer(ctx, request, fault, sourceImageOf(body, ctx.files));
    ctx.stats.renderMsTotal += answer.renderMs;
    if (rq.signal.aborted) return;
    ctx.stats.imagesReturned += answer.imagesReturned;
    if (!stream) return sendJson(rq.res, 200, toResponse(answer));
    writeStream(rq, answer, fault?.kind === 'stream-error');
  } finally {
    ctx.stats.inFlight -= 1;
    ctx.stats.serverMsTotal += Math.max(0, performance.now() - started - waited);
  }
}

function buildAnswer(
  ctx: EmulatorContext,
  request: GenerateRequest,
  fault: Fault | undefined,
  source: Buffer | undefined,
): Promise<Answer> {
  if (request.model.kind === 'text') return Promise.resolve(textAnswer(request));
  const outcome = fault?.kind === 'text-only' ? ({ kind: 'text-only' } as const) : ({ kind: 'normal' } as const);
  return imageAnswer(request, ctx.renderer, outcome, source);
}

async function infrastructureFault(rq: RouteRequest, fault: Fault, model: string, stream: boolean): Promise<void> {
  switch (fault.kind) {
    case '429':
      throw quotaExceeded({ model, retryDelay: fault.retryDelay, retryAfterSeconds: fault.retryAfterSeconds });
    case '500':
      throw internalError();
    case '503':
      throw overloaded();
    case '503-overloaded':
      throw overloaded('older');
    case '504':
      throw deadlineExceeded();
    case 'bad-key':
      throw badApiKey();
    case '503-html':
      rq.res.writeHead(503, {
        'content-type': 'text/html; charset=UTF-8',
        'content-length': Buffer.byteLength(HTML_503),
      });
      rq.res.end(HTML_503);
      return;
    case 'hang':
      await waitForDisconnect(rq.signal);
      return;
    case 'drop':
      rq.req.socket.destroy();
      return;
    case 'malformed':
      return malformed(rq, stream);
    default:
      throw new GoogleError(500, 'INTERNAL', `Unhandled emulator fault ${fault.kind}`);
  }
}

/** A 200 whose body stops mid-JSON, like a response cut by a misbehaving proxy. */
function malformed(rq: RouteRequest, stream: boolean): void {
  const truncated =
    '{\n  "candidates": [\n    {\n      "content": {\n        "parts": [\n          {\n            "inlineData": {\n              "mimeType": "image/png",\n              "data": "/9j/4AAQSkZJRgABAQAAAQABAAD';
  if (stream) {
    rq.res.writeHead(200, { 'content-type': 'text/event-stream' });
    rq.res.end(
      `data: {"candidates": [{"content": {"parts": [{"inlineData": {"mimeType": "image/png", "data": "/9j/4AAQ`,
    );
    return;
  }
  rq.res.writeHead(200, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(truncated),
  });
  rq.res.end(truncated);
}

function reply(rq: RouteRequest, stream: boolean, body: Record<string, unknown>): void {
  if (!stream) {
    sendJson(rq.res, 200, body);
    return;
  }
  startStream(rq);
  rq.res.end(sseEvent(body));
}

function startStream(rq: RouteRequest): void {
  rq.res.writeHead(200, {
    'content-type': 'text/event-stream',
    'content-disposition': 'attachment',
    'x-content-type-options': 'nosniff',
    vary: 'Origin, X-Origin, Referer',
  });
}

function sseEvent(body: unknown): string {
  return `data: ${JSON.stringify(body)}\r\n\r\n`;
}

function writeStream(rq: RouteRequest, answer: Answer, failMidway: boolean): void {
  startStream(rq);
  const chunks = toStreamChunks(answer);
  if (failMidway) {
    const first = chunks[0];
    if (first) rq.res.write(sseEvent(first));
    rq.res.end(sseEvent(overloaded().toJSON()));
    return;
  }
  for (const chunk of chunks) rq.res.write(sseEvent(chunk));
  rq.res.end();
}

function countTokens(ctx: EmulatorContext, rq: RouteRequest, body: unknown, modelId: string): void {
  const source = isObject(body) && isObject(body.generateContentRequest) ? body.generateContentRequest : body;
  const contents = isObject(source) && Array.isArray(source.contents) ? source.contents : [];
  let text = '';
  let images = 0;
  for (const content of contents) {
    if (!isObject(content) || !Array.isArray(content.parts)) continue;
    for (const part of content.parts) {
      if (!isObject(part)) continue;
      if (typeof part.text === 'string') text += ` ${part.text}`;
      if (isObject(part.inlineData) || isObject(part.fileData)) images += 1;
    }
  }
  const model = findModel(modelId);
  const perImage = model?.kind === 'image' ? model.inputImageTokens : 258;
  const tokens = promptTokens(text, images, perImage);
  ctx.log(`countTokens ${modelId}: ${tokens.total}`);
  sendJson(rq.res, 200, { totalTokens: tokens.total, promptTokensDetails: tokens.details });
}

/** The text the faults match on, read without validation (faults may precede a malformed request). */
function looseLastUserText(body: unknown): string {
  if (!isObject(body) || !Array.isArray(body.contents)) return '';
  for (let i = body.contents.length - 1; i >= 0; i--) {
    const content: unknown = body.contents[i];
    if (!isObject(content) || (content.role !== undefined && content.role !== 'user')) continue;
    if (!Array.isArray(content.parts)) return '';
    return content.parts
      .filter((p): p is Record<string, unknown> => isObject(p) && typeof p.text === 'string' && p.thought !== true)
      .map((p) => p.text as string)
      .join('\n');
  }
  return '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
