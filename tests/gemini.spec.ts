/**
 * The Gemini adapter against the project's Gemini emulator, through the real `@google/genai` SDK: no mocks.
 * Every assertion about "what Gemini saw" reads the emulator's recorded requests.
 */

import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthError,
  CancelledError,
  InvalidInputError,
  NotFoundError,
  QuotaExceededError,
  RefusalError,
  TimeoutError,
  UpstreamError,
} from '../src/core/errors.js';
import { extensionForMime, sniffImageMime } from '../src/core/mime.js';
import type { GeminiPart } from '../src/core/ports.js';
import type { Emulator, RecordedRequest } from '../src/emulator/index.js';
import { startEmulator } from '../src/emulator/index.js';
import { parseGoogleError } from '../src/gemini/errors.js';
import {
  createGeminiClient,
  type GeminiClient,
  type GeminiClientOptions,
  parseDurationMs,
  parseRetryAfterMs,
} from '../src/gemini/index.js';

const FLASH = 'gemini-3.1-flash-image';
const PRO = 'gemini-3-pro-image';
const NB1 = 'gemini-2.5-flash-image';
const TEXT_MODEL = 'gemini-3.8-flash';
const KEY = 'test-key-123456';

let emu: Emulator;
let tinyPng: Buffer;

beforeAll(async () => {
  // Mid-September 2026: nb1 and nb2 still served (their shutdowns: tests/modelLifecycle.spec.ts).
  emu = await startEmulator({ port: 0, startAt: '2026-09-15T00:00:00Z' });
  tinyPng = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fc0' } })
    .png()
    .toBuffer();
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(() => {
  emu.reset();
});

function client(overrides: Partial<GeminiClientOptions> = {}): GeminiClient {
  return createGeminiClient({
    apiKey: KEY,
    baseUrl: emu.url,
    initialBackoffMs: 5,
    maxBackoffMs: 20,
    timeoutMs: 15_000,
    random: () => 0.5,
    ...overrides,
  });
}

function generateCalls(): RecordedRequest[] {
  return emu.requests.filter((r) => r.path.endsWith(':generateContent'));
}

type WireBody = {
  contents: { role: string; parts: GeminiPart[] }[];
  systemInstruction?: { parts: { text: string }[] };
  generationConfig?: Record<string, unknown>;
  tools?: unknown[];
};

function lastBody(): WireBody {
  const call = generateCalls().at(-1);
  if (call === undefined) throw new Error('no generateContent request recorded');
  return call.body as WireBody;
}

/** Calls the emulator directly (plain fetch, same body) to see the raw wire response. */
async function rawGenerate(model: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${emu.url}/v1beta/models/${model}:generateContent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': KEY },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('request mapping (what reaches the wire)', () => {
  it('sends every field where Gemini expects it, on v1beta, with the key header', async () => {
    const gemini = client();
    const uploaded = await gemini.uploadFile({ data: tinyPng, mimeType: 'image/png', displayName: 'ref' });
    emu.requests.length = 0;

    await gemini.generateImage({
      model: FLASH,
      prompt: 'a banana on a desk',
      negativePrompt: 'text, watermark',
      systemInstruction: 'You are a product photographer.',
      aspectRatio: '16:9',
      imageSize: '2K',
      thinkingLevel: 'HIGH',
      grounding: true,
      seed: 42,
      referenceImages: [
        { kind: 'inline', data: tinyPng, mimeType: 'image/png' },
        { kind: 'file', uri: uploaded.uri, mimeType: 'image/png' },
      ],
    });

    const [call] = generateCalls();
    expect(call?.method).toBe('POST');
    expect(call?.path).toBe(`/v1beta/models/${FLASH}:generateContent`);
    expect(call?.headers['x-goog-api-key']).toBe(KEY);
    const body = lastBody();
    expect(body.contents).toHaveLength(1);
    const [turn] = body.contents;
    expect(turn?.role).toBe('user');
    // Reference images first, then one text part.
    expect(turn?.parts).toEqual([
      { inlineData: { mimeType: 'image/png', data: tinyPng.toString('base64') } },
      { fileData: { fileUri: uploaded.uri, mimeType: 'image/png' } },
      { text: 'a banana on a desk\n\nAvoid: text, watermark' },
    ]);
    expect(body.systemInstruction?.parts[0]?.text).toBe('You are a product photographer.');
    expect(body.tools).toEqual([{ googleSearch: {} }]);
    expect(body.generationConfig).toMatchObject({
      responseModalities: ['TEXT', 'IMAGE'],
      imageConfig: { aspectRatio: '16:9', imageSize: '2K' },
      thinkingConfig: { thinkingLevel: 'HIGH', includeThoughts: true },
      seed: 42,
    });
    expect(Object.keys(body.generationConfig?.imageConfig as object).sort()).toEqual(['aspectRatio', 'imageSize']);
  });

  it('omits what is not set; thinking config only for thinking models', async () => {
    const gemini = client();
    await gemini.generateImage({ model: PRO, prompt: 'a pear', aspectRatio: '1:1' });
    let body = lastBody();
    expect(body.contents[0]?.parts).toEqual([{ text: 'a pear' }]);
    expect(body.generationConfig?.imageConfig).toEqual({ aspectRatio: '1:1' });
    expect(body.generationConfig?.thinkingConfig).toEqual({ includeThoughts: true });
    expect(body.generationConfig).not.toHaveProperty('seed');
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('systemInstruction');

    await gemini.generateImage({ model: NB1, prompt: 'a plum' });
    body = lastBody();
    expect(body.generationConfig).not.toHaveProperty('thinkingConfig');
    expect(body.generationConfig).not.toHaveProperty('imageConfig');
    expect(body.generationConfig?.responseModalities).toEqual(['TEXT', 'IMAGE']);
  });
});

describe('response reading', () => {
  it('returns the final image (not the thought image), sniffed as JPEG though labelled PNG, with usage', async () => {
    const gemini = client();
    const result = await gemini.generateImage({ model: FLASH, prompt: 'a red bicycle', imageSize: '1K', seed: 7 });
    const raw = await rawGenerate(FLASH, lastBody());

    type RawPart = GeminiPart & { inlineData?: { data: string; mimeType: string } };
    const candidates = raw.candidates as { content: { parts: RawPart[] } }[];
    const parts = candidates[0]?.content.parts ?? [];
    const thoughtImages = parts.filter((p) => p.thought === true && p.inlineData !== undefined);
    const finalImages = parts.filter((p) => p.thought !== true && p.inlineData !== undefined);
    expect(thoughtImages.length).toBeGreaterThan(0);
    const finalPart = finalImages.at(-1);
    expect(finalPart?.inlineData?.mimeType).toBe('image/png');

    expect(result.data.toString('base64')).toBe(finalPart?.inlineData?.data);
    for (const thought of thoughtImages) expect(result.data.toString('base64')).not.toBe(thought.inlineData?.data);
    expect(sniffImageMime(result.data)).toBe('image/jpeg');
    expect(result.mimeType).toBe('image/jpeg');
    expect(result.declaredMimeType).toBe('image/png');
    expect(result.attempts).toBe(1);

    const usage = raw.usageMetadata as Record<string, unknown>;
    expect(result.usage).toEqual({
      promptTokens: usage.promptTokenCount,
      imageTokens: 1120,
      candidatesTokens: usage.candidatesTokenCount,
      thoughtsTokens: usage.thoughtsTokenCount ?? 0,
      totalTokens: usage.totalTokenCount,
    });
    expect(result.modelVersion).toBe(raw.modelVersion);
  });

  it('keeps signatures and thought text in history, drops thought images, and the edit is accepted', async () => {
    const gemini = client();
    const first = await gemini.generateImage({
      model: FLASH,
      prompt: 'a lighthouse at dusk',
      referenceImages: [{ kind: 'inline', data: tinyPng, mimeType: 'image/png' }],
    });
    const raw = await rawGenerate(FLASH, lastBody());
    const rawParts = (raw.candidates as { content: { parts: GeminiPart[] } }[])[0]?.content.parts ?? [];

    expect(first.history).toHaveLength(2);
    const [userTurn, modelTurn] = first.history;
    expect(userTurn).toEqual(lastBody().contents[0]);
    expect(modelTurn?.role).toBe('model');
    const kept = modelTurn?.parts ?? [];
    expect(kept.some((p) => p.thought === true && p.inlineData !== undefined)).toBe(false);
    expect(kept).toEqual(rawParts.filter((p) => !(p.thought === true && p.inlineData !== undefined)));
    const signatures = (parts: GeminiPart[]) => parts.map((p) => p.thoughtSignature).filter((s) => s !== undefined);
    expect(signatures(kept)).toEqual(signatures(rawParts));
    expect(signatures(kept).length).toBeGreaterThan(0);

    const edit = await gemini.generateImage({ model: FLASH, prompt: 'make the sky green', history: first.history });
    expect(edit.data.length).toBeGreaterThan(0);
    const body = lastBody();
    expect(body.contents).toHaveLength(3);
    expect(body.contents[1]).toEqual(modelTurn);
    expect(body.contents[2]?.parts).toEqual([{ text: 'make the sky green' }]);
    expect(edit.history).toHaveLength(4);
  });
});

describe('refusals (never retried, never billed)', () => {
  it('a blocked prompt names the block reason', async () => {
    emu.faults.enqueue({ kind: 'block', reason: 'PROHIBITED_CONTENT' });
    const error = await rejection(client().generateImage({ model: FLASH, prompt: 'something' }));
    expect(error).toBeInstanceOf(RefusalError);
    expect((error as RefusalError).reason).toBe('PROHIBITED_CONTENT');
    expect((error as Error).message).toMatch(/^Gemini blocked the prompt \(PROHIBITED_CONTENT\)\. Rephrase/);
    expect((error as Error).message).toMatch(/No cost was recorded\.$/);
    expect(generateCalls()).toHaveLength(1);
  });

  it.each(['IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'NO_IMAGE', 'IMAGE_OTHER', 'IMAGE_RECITATION'])(
    'finishReason %s',
    async (reason) => {
      emu.faults.enqueue({ kind: 'refuse', reason });
      const error = await rejection(client().generateImage({ model: FLASH, prompt: 'a scene' }));
      expect(error).toBeInstanceOf(RefusalError);
      expect((error as RefusalError).reason).toBe(reason);
      expect((error as Error).message).toContain(`(${reason})`);
      expect((error as Error).message).toMatch(/No cost was recorded\.$/);
      expect(generateCalls()).toHaveLength(1);
    },
  );

  it('a prompt directive works the same way', async () => {
    const error = await rejection(client().generateImage({ model: FLASH, prompt: 'x [emulator:refuse=IMAGE_SAFETY]' }));
    expect(error).toBeInstanceOf(RefusalError);
    expect((error as RefusalError).reason).toBe('IMAGE_SAFETY');
  });

  it('a text-only answer quotes the text', async () => {
    emu.faults.enqueue({ kind: 'text-only' });
    const error = await rejection(client().generateImage({ model: FLASH, prompt: 'tell me about cats' }));
    expect(error).toBeInstanceOf(RefusalError);
    expect((error as Error).message).toMatch(/^Gemini answered with text instead of an image: ".+"/);
    expect((error as Error).message).toMatch(/No cost was recorded\.$/);
  });
});

describe('retries', () => {
  it('honours RetryInfo: two 429s with retryDelay 0.2s, then success after 3 attempts', async () => {
    emu.faults.enqueue({ kind: '429', retryDelay: '0.2s' }, { times: 2 });
    const retries: { attempt: number; delayMs: number; reason: string }[] = [];
    const result = await client().generateImage({
      model: FLASH,
      prompt: 'a kite',
      onRetry: (info) => retries.push(info),
    });
    expect(result.attempts).toBe(3);
    const calls = generateCalls();
    expect(calls).toHaveLength(3);
    expect(retries.map((r) => r.attempt)).toEqual([2, 3]);
    for (const r of retries) {
      expect(r.delayMs).toBeGreaterThanOrEqual(200);
      expect(r.reason).toContain('429');
    }
    // Measured on the emulator's side: each retry arrived at least 0.2 s after the previous request.
    for (let i = 1; i < calls.length; i++) {
      expect((calls[i]?.at ?? 0) - (calls[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(195);
    }
  });

  it('gives up at once when Gemini asks to wait longer than maxRetryDelayMs', async () => {
    emu.faults.enqueue({ kind: '429', retryDelay: '120s' });
    const started = Date.now();
    const error = await rejection(client({ maxRetryDelayMs: 60_000 }).generateImage({ model: FLASH, prompt: 'a' }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect((error as QuotaExceededError).retryAfterMs).toBe(120_000);
    expect((error as Error).message).toMatch(/quota/i);
    expect((error as Error).message).toMatch(/billed project/);
    expect(generateCalls()).toHaveLength(1);
  });

  it('sees a Retry-After header too (through its fetch wrapper) and honours the longer hint', async () => {
    emu.faults.enqueue({ kind: '429', retryDelay: '0.01s', retryAfterSeconds: 120 });
    const error = await rejection(client({ maxRetryDelayMs: 60_000 }).generateImage({ model: FLASH, prompt: 'ra' }));
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect((error as QuotaExceededError).retryAfterMs).toBe(120_000);
    expect(generateCalls()).toHaveLength(1);
  });

  it.each(['500', '503', '503-html', 'drop', 'malformed'] as const)('retries after %s', async (kind) => {
    emu.faults.enqueue({ kind });
    const result = await client().generateImage({ model: FLASH, prompt: `after ${kind}` });
    expect(result.attempts).toBe(2);
    expect(generateCalls()).toHaveLength(2);
  });

  it('a persistent 503 ends in UpstreamError after maxAttempts', async () => {
    emu.faults.enqueue({ kind: '503' }, { times: 10 });
    const error = await rejection(client({ maxAttempts: 3 }).generateImage({ model: FLASH, prompt: 'b' }));
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).status).toBe(503);
    expect((error as Error).message).toBe(
      'Gemini is overloaded (503 UNAVAILABLE) and still failed after 3 attempts; try again in a minute.',
    );
    expect(generateCalls()).toHaveLength(3);
  });

  it('a hanging server: each attempt times out, then TimeoutError', async () => {
    emu.faults.enqueue({ kind: 'hang' }, { times: 10 });
    const started = Date.now();
    const error = await rejection(
      client({ timeoutMs: 300, maxAttempts: 2 }).generateImage({ model: FLASH, prompt: 'c' }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/^Gemini did not answer within 0\.3 s/);
    expect(generateCalls()).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a hang followed by a good answer is retried', async () => {
    // Warm the emulator's render cache, so the good answer fits the timeout even on a loaded machine.
    await client().generateImage({ model: FLASH, prompt: 'd' });
    emu.faults.enqueue({ kind: 'hang' });
    const started = Date.now();
    const result = await client({ timeoutMs: 1_500 }).generateImage({ model: FLASH, prompt: 'd' });
    expect(result.attempts).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500); // the first attempt really timed out
  });
});

describe('cancellation', () => {
  it('aborting during a retry wait ends at once with CancelledError', async () => {
    emu.faults.enqueue({ kind: '429', retryDelay: '5s' });
    const controller = new AbortController();
    let abortedAt = 0;
    const pending = client().generateImage({
      model: FLASH,
      prompt: 'e',
      signal: controller.signal,
      onRetry: () =>
        setTimeout(() => {
          abortedAt = Date.now();
          controller.abort();
        }, 50),
    });
    const error = await rejection(pending);
    expect(abortedAt).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(CancelledError);
    expect(Date.now() - abortedAt).toBeLessThan(200);
    expect(generateCalls()).toHaveLength(1);
  });

  it('aborting mid-request ends at once and closes the connection', async () => {
    // A slow answer rather than a hang: if the connection stayed open, the emulator would render and
    // count an image once the latency is over; it only skips that when it sees the client go away.
    emu.faults.enqueue({ kind: 'latency', latencyMs: 400 });
    const controller = new AbortController();
    const pending = client().generateImage({ model: FLASH, prompt: 'f', signal: controller.signal });
    await waitFor(() => generateCalls().length === 1);
    const abortedAt = Date.now();
    controller.abort();
    const error = await rejection(pending);
    expect(error).toBeInstanceOf(CancelledError);
    expect(Date.now() - abortedAt).toBeLessThan(200);
    await new Promise((r) => setTimeout(r, 600));
    expect(emu.stats()).toMatchObject({ generateCalls: 1, imagesReturned: 0 });
    expect(generateCalls()).toHaveLength(1);
  });
});

describe('errors', () => {
  it('a rejected key → AuthError that never echoes the key', async () => {
    const badKey = 'invalid-AIzaSyDUMMYDUMMYDUMMYDUMMYDUMMYDUMMY0';
    const error = await rejection(client({ apiKey: badKey }).generateImage({ model: FLASH, prompt: 'g' }));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toBe(
      'The Gemini API key was rejected (API_KEY_INVALID). Set a valid key in GEMINI_API_KEY (get one at https://aistudio.google.com/apikey) and restart the server.',
    );
    expect((error as AuthError).internalMessage ?? '').not.toContain(badKey);
    expect(generateCalls()).toHaveLength(1);
  });

  it('the bad-key fault too', async () => {
    emu.faults.enqueue({ kind: 'bad-key' });
    const error = await rejection(client().generateImage({ model: FLASH, prompt: 'g2' }));
    expect(error).toBeInstanceOf(AuthError);
  });

  it('no key → AuthError without any request', async () => {
    const gemini = createGeminiClient({ baseUrl: emu.url });
    const error = await rejection(gemini.generateImage({ model: FLASH, prompt: 'h' }));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toContain('GEMINI_API_KEY');
    expect(await rejection(gemini.getFile('files/x'))).toBeInstanceOf(AuthError);
    expect(emu.requests).toHaveLength(0);
  });

  it('an unknown model → NotFoundError naming it', async () => {
    const error = await rejection(client().generateImage({ model: 'gemini-9-imaginary-image', prompt: 'i' }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(/^Gemini does not know model gemini-9-imaginary-image/);
    expect(generateCalls()).toHaveLength(1);
  });

  it("a bad ratio → InvalidInputError carrying Google's message", async () => {
    const error = await rejection(client().generateImage({ model: FLASH, prompt: 'j', aspectRatio: '7:3' }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain('aspect_ratio must be one of');
    expect(generateCalls()).toHaveLength(1);
  });
});

describe('Files API', () => {
  it('uploads, gets, lists and deletes; a deleted or expired file reads as undefined', async () => {
    const gemini = client();
    const file = await gemini.uploadFile({ data: tinyPng, mimeType: 'image/png', displayName: 'swatch' });
    expect(file.name).toMatch(/^files\/[a-z0-9-]+$/);
    expect(file.uri).toContain(file.name);
    expect(file.mimeType).toBe('image/png');
    expect(file.sizeBytes).toBe(tinyPng.length);
    expect(file.state).toBe('ACTIVE');
    expect(Date.parse(file.expiresAt ?? '')).toBeGreaterThan(emu.clock.now() + 47 * 3600_000);
    expect(emu.requests.some((r) => r.path === '/upload/v1beta/files')).toBe(true);

    expect(await gemini.getFile(file.name)).toEqual(file);
    expect(await gemini.getFile(file.uri)).toEqual(file);

    const second = await gemini.uploadFile({ data: tinyPng, mimeType: 'image/png' });
    const listed: string[] = [];
    for await (const f of gemini.listFiles(1)) listed.push(f.name);
    expect(listed).toEqual(expect.arrayContaining([file.name, second.name]));

    await gemini.deleteFile(file.name);
    expect(await gemini.getFile(file.name)).toBeUndefined();
    await gemini.deleteFile(file.name); // idempotent

    emu.clock.advance(49 * 3600_000);
    expect(await gemini.getFile(second.name)).toBeUndefined();
  });
});

describe('generateJson', () => {
  it('returns an object matching the schema, sent as responseJsonSchema', async () => {
    const schema = {
      type: 'object',
      properties: { refined: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['refined', 'tags'],
      additionalProperties: false,
    };
    const { value, usage } = await client().generateJson({
      model: TEXT_MODEL,
      systemInstruction: 'You refine prompts.',
      prompt: 'a cat on a roof',
      jsonSchema: schema,
    });
    const call = emu.requests.at(-1);
    expect(call?.path).toBe(`/v1beta/models/${TEXT_MODEL}:generateContent`);
    const body = call?.body as WireBody;
    expect(body.generationConfig).toMatchObject({ responseMimeType: 'application/json', responseJsonSchema: schema });
    expect(body.systemInstruction?.parts[0]?.text).toBe('You refine prompts.');
    expect(value).toEqual({ refined: expect.any(String), tags: expect.any(Array) });
    expect(usage.totalTokens).toBeGreaterThan(0);
  });
});

describe('pure helpers', () => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

  it('sniffs image types from magic bytes', () => {
    expect(sniffImageMime(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImageMime(tinyPng)).toBe('image/png');
    expect(sniffImageMime(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toBe('image/webp');
    expect(sniffImageMime(bytes('GIF89a', [0]))).toBe('image/gif');
    expect(sniffImageMime(bytes('GIF87a'))).toBe('image/gif');
    expect(sniffImageMime(bytes([0, 0, 0, 24], 'ftypheic', [0, 0, 0, 0], 'mif1heic'))).toBe('image/heic');
    expect(sniffImageMime(bytes([0, 0, 0, 20], 'ftypavif', [0, 0, 0, 0], 'mif1'))).toBe('image/avif');
    expect(sniffImageMime(bytes([0, 0, 0, 24], 'ftypmif1', [0, 0, 0, 0], 'mif1avif'))).toBe('image/avif');
    expect(sniffImageMime(bytes('hello world!'))).toBeUndefined();
    expect(sniffImageMime(new Uint8Array())).toBeUndefined();
    expect(extensionForMime('image/jpeg')).toBe('jpg');
    expect(extensionForMime('IMAGE/PNG; q=1')).toBe('png');
    expect(extensionForMime('image/webp')).toBe('webp');
    expect(extensionForMime('application/x-unknown')).toBe('bin');
  });

  it('parses durations and Retry-After', () => {
    expect(parseDurationMs('15s')).toBe(15_000);
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseDurationMs('soon')).toBeUndefined();
    expect(parseRetryAfterMs('2')).toBe(2000);
    expect(parseRetryAfterMs(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8000);
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
  });

  it('reads error messages in every shape the SDK produces', () => {
    const apiError = (status: number, message: string) =>
      Object.assign(new Error(message), { name: 'ApiError', status });
    const envelope = { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } };
    const stream = parseGoogleError(apiError(503, `got status: UNAVAILABLE. ${JSON.stringify(envelope)}`));
    expect(stream).toMatchObject({ httpStatus: 503, status: 'UNAVAILABLE', message: 'The model is overloaded.' });
    const html = parseGoogleError(
      apiError(
        503,
        JSON.stringify({
          error: { message: '<html><title>Error 503 (Service Unavailable)</title></html>', code: 503 },
        }),
      ),
    );
    expect(html).toMatchObject({ nonJsonBody: true, message: 'Error 503 (Service Unavailable)' });
    const doubly = parseGoogleError(
      apiError(429, JSON.stringify({ error: { message: JSON.stringify(envelope), code: 429, status: 'Too Many' } })),
    );
    expect(doubly.message).toBe('The model is overloaded.');
    expect(parseGoogleError(new Error('not json at all')).message).toBe('not json at all');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
