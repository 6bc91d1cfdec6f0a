/**
 * The errors users meet at Google, played by the emulator and read through the unmodified `@google/genai` SDK
 * (issue 10), then met by the product through a real MCP client. Each rule cites where Google's behaviour is
 * documented or reported.
 */
import type { GoogleGenAI } from '@google/genai';
import { ApiError } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../src/core/errors.js';
import { fromGeminiFailure } from '../src/gemini/failures.js';
import { type Emulator, generateRequests, marker, startEmulator } from './helpers/emulator.js';
import { apiError, caught, sdk, tinyPng } from './helpers/emulatorSdk.js';
import { type StudioProcess, startStudio, textOf } from './helpers/studio.js';

type Result = { content: unknown[]; isError?: boolean };
const NB2 = 'gemini-3.1-flash-image';
const NB21 = 'gemini-nano-banana-2.1';
const PRO = 'gemini-3-pro-image';
const LITE = 'gemini-3.1-flash-lite-image';
const HIGH_DEMAND =
  'This model is currently experiencing high demand. Spikes in demand are usually temporary. Please try again later.';

let emu: Emulator;
let ai: GoogleGenAI;
beforeAll(async () => {
  // Before 3.1 Flash Image's shutdown, so its own rules (levels, image search, token counts) can be exercised.
  emu = await startEmulator({ startAt: '2026-10-20T00:00:00Z' });
  ai = sdk(emu);
});
afterAll(async () => {
  await emu?.close();
});

describe('keys', () => {
  // googleapis/js-genai#898 and PublicAffairs/openai-gemini#92: a request that reaches Google without a key.
  const UNREGISTERED =
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";

  it('no key at all → 403 PERMISSION_DENIED (the SDK with an empty key header, and plain REST)', async () => {
    const keyless = sdk(emu, { headers: { 'x-goog-api-key': '' } });
    const { status, error } = await apiError(keyless.models.generateContent({ model: NB21, contents: 'x' }));
    expect(status).toBe(403);
    expect(error).toEqual({ code: 403, status: 'PERMISSION_DENIED', message: UNREGISTERED });
    const rest = await fetch(`${emu.url}/v1beta/models`);
    expect(rest.status).toBe(403);
    expect(((await rest.json()) as { error: { status: string } }).error.status).toBe('PERMISSION_DENIED');
  });

  it('the product reads that 403 as the missing key, not as a permission problem of the project', async () => {
    const keyless = sdk(emu, { headers: { 'x-goog-api-key': '' } });
    const thrown = await caught(keyless.models.generateContent({ model: NB21, contents: 'x' }));
    const mapped = fromGeminiFailure(thrown, { operation: 'generate', model: NB21, attempts: 1, timeoutMs: 1000 });
    expect(mapped).toBeInstanceOf(AuthError);
    expect(mapped.message).toMatch(/^Gemini received no API key \(403 PERMISSION_DENIED/);
    expect(mapped.message).toContain('Set GEMINI_API_KEY');
    expect(mapped.message).toContain('x-goog-api-key header');
  });

  it('a wrong key is still 400 API_KEY_INVALID', async () => {
    const { status, error } = await apiError(
      sdk(emu, {}, 'invalid-key').models.generateContent({ model: NB21, contents: 'x' }),
    );
    expect([status, error.status, error.details?.[0]?.reason]).toEqual([400, 'INVALID_ARGUMENT', 'API_KEY_INVALID']);
  });
});

describe('server faults', () => {
  it('504 DEADLINE_EXCEEDED (troubleshooting page: retryable) is retried by the SDK retry loop', async () => {
    emu.faults.enqueue({ kind: '504' });
    const { status, error } = await apiError(ai.models.generateContent({ model: NB21, contents: 'x' }));
    expect([status, error.status]).toEqual([504, 'DEADLINE_EXCEEDED']);
    expect(error.message).toBe('Deadline expired before operation could complete.');

    const m = marker('504');
    emu.faults.enqueue({ kind: '504' }, { times: 2, match: { promptIncludes: m } });
    const retrying = sdk(emu, { retryOptions: { attempts: 3, initialDelay: 0.01, maxDelay: 0.02 } });
    const ok = await retrying.models.generateContent({ model: NB21, contents: m });
    expect(ok.candidates?.[0]?.finishReason).toBe('STOP');
    expect(generateRequests(emu, m)).toHaveLength(3);
  });

  it('503 carries today’s wording (gemini-api.md item 7); 503-overloaded the older one', async () => {
    emu.faults.enqueue({ kind: '503' });
    expect((await apiError(ai.models.generateContent({ model: NB21, contents: 'x' }))).error).toEqual({
      code: 503,
      status: 'UNAVAILABLE',
      message: HIGH_DEMAND,
    });
    emu.faults.enqueue({ kind: '503-overloaded' });
    expect((await apiError(ai.models.generateContent({ model: NB21, contents: 'x' }))).error.message).toBe(
      'The model is overloaded. Please try again later.',
    );
  });
});

describe('thinking', () => {
  it('thinkingLevel with thinkingBudget → 400 (gemini-api.md item 7)', async () => {
    const { status, error } = await apiError(
      ai.models.generateContent({
        model: NB21,
        contents: 'x',
        config: { thinkingConfig: { thinkingLevel: 'HIGH' as never, thinkingBudget: 1024 } },
      }),
    );
    expect(status).toBe(400);
    expect(error.message).toBe(
      'Unable to submit request because thinking_budget and thinking_level are not supported together',
    );
  });

  it('a level the model does not take → 400 with Google’s wording; Pro takes none', async () => {
    const medium = await apiError(
      ai.models.generateContent({
        model: NB2,
        contents: 'x',
        config: { thinkingConfig: { thinkingLevel: 'MEDIUM' as never } },
      }),
    );
    expect(medium.error.message).toBe(
      'Thinking level MEDIUM is not supported for this model. Please retry with other thinking level.',
    );
    const low = await apiError(
      ai.models.generateContent({
        model: NB21,
        contents: 'x',
        config: { thinkingConfig: { thinkingLevel: 'LOW' as never } },
      }),
    );
    expect(low.error.message).toBe(
      'Thinking level LOW is not supported for this model. Please retry with other thinking level.',
    );
    // BerriAI/litellm PR #17027: Pro always thinks and rejects a level.
    const pro = await apiError(
      ai.models.generateContent({
        model: PRO,
        contents: 'x',
        config: { thinkingConfig: { thinkingLevel: 'HIGH' as never } },
      }),
    );
    expect(pro.error.message).toBe('Thinking level is not supported for this model.');
  });
});

describe('per-model numbers', () => {
  it('Lite: 65,536 input / 4,096 output tokens (model page); 3.1 Flash Image: 1,120 tokens per input image (Vertex model card)', async () => {
    const lite = await ai.models.get({ model: LITE });
    expect([lite.inputTokenLimit, lite.outputTokenLimit]).toEqual([65536, 4096]);
    const png = (await tinyPng()).toString('base64');
    const counted = await ai.models.countTokens({
      model: NB2,
      contents: [{ role: 'user', parts: [{ inlineData: { data: png, mimeType: 'image/png' } }, { text: 'x' }] }],
    });
    const made = await ai.models.generateContent({
      model: NB2,
      contents: [{ role: 'user', parts: [{ inlineData: { data: png, mimeType: 'image/png' } }, { text: 'x' }] }],
    });
    const image = made.usageMetadata?.promptTokensDetails?.find((d) => d.modality === 'IMAGE')?.tokenCount;
    expect(image).toBe(1120);
    expect(counted.totalTokens).toBe(made.usageMetadata?.promptTokenCount);
  });
});

describe('image-search grounding (SDK types: GoogleSearch.searchTypes, GroundingChunkImage, imageSearchQueries)', () => {
  const imageSearch = { tools: [{ googleSearch: { searchTypes: { webSearch: {}, imageSearch: {} } } }] };

  it('3.1 Flash Image and 2.1 answer with image search queries and image chunks', async () => {
    for (const model of [NB2, NB21]) {
      const res = await ai.models.generateContent({ model, contents: 'the Eiffel tower at dawn', config: imageSearch });
      const meta = res.candidates?.[0]?.groundingMetadata;
      expect(meta?.imageSearchQueries, model).toEqual(['the Eiffel tower at dawn']);
      expect(meta?.webSearchQueries).toHaveLength(1);
      const image = meta?.groundingChunks?.find((c) => c.image)?.image;
      expect(image?.imageUri).toMatch(/^https:\/\//);
      expect(image?.sourceUri).toMatch(/^https:\/\//);
      expect(meta?.groundingChunks?.filter((c) => c.web)).toHaveLength(3);
    }
    const only = await ai.models.generateContent({
      model: NB21,
      contents: 'a red panda',
      config: { tools: [{ googleSearch: { searchTypes: { imageSearch: {} } } }] },
    });
    const meta = only.candidates?.[0]?.groundingMetadata;
    expect(meta?.webSearchQueries).toBeUndefined();
    expect(meta?.groundingChunks?.map((c) => Object.keys(c))).toEqual([['image']]);
  });

  it('refused on Pro (and all grounding on Lite); plain web grounding still works on Pro', async () => {
    const pro = await apiError(ai.models.generateContent({ model: PRO, contents: 'x', config: imageSearch }));
    expect([pro.status, pro.error.message]).toEqual([400, `Image search is not supported for models/${PRO}.`]);
    const lite = await apiError(ai.models.generateContent({ model: LITE, contents: 'x', config: imageSearch }));
    expect(lite.error.message).toBe(`Search grounding is not supported for models/${LITE}.`);
    const web = await ai.models.generateContent({
      model: PRO,
      contents: 'x',
      config: { tools: [{ googleSearch: {} }] },
    });
    expect(web.candidates?.[0]?.groundingMetadata?.groundingChunks).toHaveLength(3);
  });

  it('unknown fields inside tools are refused like elsewhere (raw REST: the SDK drops unknown fields itself)', async () => {
    const post = async (tools: unknown) => {
      const res = await fetch(`${emu.url}/v1beta/models/${NB21}:generateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': 'k', 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }], tools }),
      });
      return { status: res.status, error: ((await res.json()) as { error: { message: string } }).error };
    };
    expect(await post([{ googleSearch: { imageSearch: {} } }])).toMatchObject({
      status: 400,
      error: {
        message: `Invalid JSON payload received. Unknown name "imageSearch" at 'tools[0].google_search': Cannot find field.`,
      },
    });
    expect((await post([{ google_search: { search_types: { video_search: {} } } }])).error.message).toBe(
      `Invalid JSON payload received. Unknown name "video_search" at 'tools[0].google_search.search_types': Cannot find field.`,
    );
    expect((await post([{ webSearch: {} }])).error.message).toBe(
      `Invalid JSON payload received. Unknown name "webSearch" at 'tools[0]': Cannot find field.`,
    );
  });
});

describe('Files API knobs', () => {
  it('failNext: the file ends in state FAILED with an error, and a prompt using it is refused', async () => {
    emu.files.failNext(1);
    const file = await ai.files.upload({
      file: new Blob([new Uint8Array(await tinyPng('#123456'))], { type: 'image/png' }),
      config: { mimeType: 'image/png' },
    });
    expect(file.state).toBe('FAILED');
    expect(file.error?.message).toBeTruthy();
    expect((await ai.files.get({ name: file.name ?? '' })).state).toBe('FAILED');
    const { status, error } = await apiError(
      ai.models.generateContent({
        model: NB21,
        contents: [
          { role: 'user', parts: [{ fileData: { fileUri: file.uri, mimeType: 'image/png' } }, { text: 'x' }] },
        ],
      }),
    );
    expect(status).toBe(400);
    expect(error.message).toContain('is not in an ACTIVE state');
    const next = await ai.files.upload({
      file: new Blob([new Uint8Array(await tinyPng('#654321'))], { type: 'image/png' }),
      config: { mimeType: 'image/png' },
    });
    expect(next.state).toBe('ACTIVE');
  });

  it('the project storage quota (20 GB by default, lowered here) refuses an upload that would exceed it', async () => {
    const used = emu.files.usedBytes();
    emu.files.setQuotaBytes(used + 100);
    try {
      const thrown = await caught(
        ai.files.upload({
          file: new Blob([new Uint8Array(200)], { type: 'image/png' }),
          config: { mimeType: 'image/png' },
        }),
      );
      expect(thrown).toBeInstanceOf(ApiError);
      expect((thrown as ApiError).status).toBe(429);
      expect((thrown as ApiError).message).toContain('RESOURCE_EXHAUSTED');
    } finally {
      emu.files.setQuotaBytes(20 * 1024 ** 3);
    }
  });
});

describe('the stream endpoint', () => {
  it('an error before the first chunk comes with the stream’s content type, so the SDK double-encodes it (js-genai#346, #577)', async () => {
    const thrown = await caught(ai.models.generateContentStream({ model: 'gemini-no-such-model', contents: 'x' }));
    expect(thrown).toBeInstanceOf(ApiError);
    const outer = JSON.parse((thrown as ApiError).message) as { error: { message: string; code: number } };
    expect(outer.error.code).toBe(404);
    const inner = JSON.parse(outer.error.message) as { error: { status: string; message: string } };
    expect(inner.error.status).toBe('NOT_FOUND');
    expect(inner.error.message).toContain('models/gemini-no-such-model is not found for API version v1beta');
  });

  it('an error after the first chunk is a data event with today’s 503 wording', async () => {
    emu.faults.enqueue({ kind: 'stream-error' });
    const stream = await ai.models.generateContentStream({ model: NB21, contents: 'x' });
    const thrown = await caught(
      (async () => {
        for await (const _ of stream) {
          // drain
        }
      })(),
    );
    expect(thrown).toBeInstanceOf(ApiError);
    expect((thrown as ApiError).message).toContain(HIGH_DEMAND);
  });
});

describe('the product meets them', () => {
  let studio: StudioProcess;
  beforeAll(async () => {
    studio = await startStudio('stdio', {
      geminiUrl: emu.url,
      env: { STUDIO_GEMINI_MAX_ATTEMPTS: '3', STUDIO_MODEL_NB2_SHUTDOWN: 'none' },
    });
  });
  afterAll(async () => {
    await studio?.close({ removeData: true });
  });
  const generate = (args: Record<string, unknown>) =>
    studio.client.callTool({ name: 'generate_image', arguments: args }) as Promise<Result>;

  it('504 twice, then an image: retried like other transient errors', async () => {
    const m = marker('product-504');
    emu.faults.enqueue({ kind: '504' }, { times: 2, match: { promptIncludes: m } });
    const result = await generate({ prompt: `a pier ${m}` });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(generateRequests(emu, m)).toHaveLength(3);
  });

  it('504 every time: the error says Gemini ran out of time, after 3 attempts', async () => {
    const m = marker('product-504-always');
    emu.faults.enqueue({ kind: '504' }, { times: 3, match: { promptIncludes: m } });
    const result = await generate({ prompt: `a jetty ${m}` });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /Gemini ran out of time \(504 DEADLINE_EXCEEDED\) and still failed after 3 attempts/,
    );
  });
});
