/**
 * The Gemini emulator, driven only through the real `@google/genai` 3.x SDK (and plain fetch for the control
 * surface and raw wire checks). Nothing is mocked: if the SDK can parse it here, it parses Google's answers.
 */
import type { GenerateContentResponse } from '@google/genai';
import { ApiError, Type } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Emulator } from '../src/emulator/index.js';
import { startEmulator } from '../src/emulator/index.js';
import { apiError, caught, control, decode, finalImage, partsOf, sdk, sniff, tinyPng } from './helpers/emulatorSdk.js';

const NB2 = 'gemini-3.1-flash-image';
const PRO = 'gemini-3-pro-image';
const NB21 = 'gemini-nano-banana-2.1';
const LITE = 'gemini-3.1-flash-lite-image';
const NB1 = 'gemini-2.5-flash-image';
const TEXT = 'gemini-3.8-flash';
const BEFORE_SHUTDOWNS = '2026-09-15T00:00:00Z';

const RATIOS_14 = ['1:1', '1:4', '1:8', '2:3', '3:2', '3:4', '4:1', '4:3', '4:5', '5:4', '8:1', '9:16', '16:9', '21:9'];
const RATIOS_10 = RATIOS_14.filter((r) => !['1:4', '4:1', '1:8', '8:1'].includes(r));

/** §1.3 of the reference, written out independently of the emulator's table. */
const GRID_1K: Record<string, [number, number]> = {
  '1:1': [1024, 1024],
  '1:4': [512, 2048],
  '1:8': [384, 3072],
  '2:3': [848, 1264],
  '3:2': [1264, 848],
  '3:4': [896, 1200],
  '4:1': [2048, 512],
  '4:3': [1200, 896],
  '4:5': [928, 1152],
  '5:4': [1152, 928],
  '8:1': [3072, 384],
  '9:16': [768, 1376],
  '16:9': [1376, 768],
  '21:9': [1584, 672],
};
const SQUARE: Record<string, [number, number]> = {
  '512': [512, 512],
  '1K': [1024, 1024],
  '2K': [2048, 2048],
  '4K': [4096, 4096],
};
const WIDE: Record<string, [number, number]> = {
  '512': [688, 384],
  '1K': [1376, 768],
  '2K': [2752, 1536],
  '4K': [5504, 3072],
};
const NB1_GRID: Record<string, [number, number]> = {
  '1:1': [1024, 1024],
  '2:3': [832, 1248],
  '3:2': [1248, 832],
  '3:4': [864, 1184],
  '4:3': [1184, 864],
  '4:5': [896, 1152],
  '5:4': [1152, 896],
  '9:16': [768, 1344],
  '16:9': [1344, 768],
  '21:9': [1536, 672],
};

let emu: Emulator;

beforeAll(async () => {
  // Mid-September 2026: nb1 and nb2 still served (their shutdowns are tested in tests/modelLifecycle.spec.ts).
  emu = await startEmulator({ startAt: BEFORE_SHUTDOWNS });
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(() => {
  emu.reset();
});

async function generate(
  model: string,
  prompt: string,
  config: Record<string, unknown> = {},
): Promise<GenerateContentResponse> {
  return sdk(emu).models.generateContent({ model, contents: prompt, config });
}

async function dims(model: string, config: Record<string, unknown>, prompt = 'a lighthouse on a cliff') {
  const response = await generate(model, prompt, config);
  const image = finalImage(response);
  return { ...(await decode(image.bytes)), mimeType: image.mimeType, sniffed: sniff(image.bytes) };
}

describe('image dimensions and encoding', () => {
  it('NB2 renders every ratio at 1K at the exact pixel size, JPEG bytes labelled image/png', async () => {
    for (const ratio of RATIOS_14) {
      const result = await dims(NB2, { imageConfig: { aspectRatio: ratio, imageSize: '1K' } });
      expect([result.width, result.height], ratio).toEqual(GRID_1K[ratio]);
      expect(result.format).toBe('jpeg');
      expect(result.sniffed).toBe('jpeg');
      expect(result.mimeType).toBe('image/png');
    }
  });

  it('NB2 renders every size for 1:1 and 16:9', async () => {
    for (const size of ['512', '1K', '2K', '4K']) {
      const square = await dims(NB2, { imageConfig: { aspectRatio: '1:1', imageSize: size } });
      expect([square.width, square.height], `1:1 ${size}`).toEqual(SQUARE[size]);
      const wide = await dims(NB2, { imageConfig: { aspectRatio: '16:9', imageSize: size } });
      expect([wide.width, wide.height], `16:9 ${size}`).toEqual(WIDE[size]);
    }
  });

  it('extreme 4K ratios work (12288x1536 and 8192x2048)', async () => {
    const strip = await dims(NB2, { imageConfig: { aspectRatio: '8:1', imageSize: '4K' } });
    expect([strip.width, strip.height]).toEqual([12288, 1536]);
    const wide = await dims(NB2, { imageConfig: { aspectRatio: '4:1', imageSize: '4K' } });
    expect([wide.width, wide.height]).toEqual([8192, 2048]);
  });

  it('defaults to 1:1 at 1K, also with a reference image', async () => {
    const plain = await dims(NB2, {});
    expect([plain.width, plain.height]).toEqual([1024, 1024]);
    const png = (await tinyPng()).toString('base64');
    const response = await sdk(emu).models.generateContent({
      model: NB2,
      contents: [{ role: 'user', parts: [{ inlineData: { data: png, mimeType: 'image/png' } }, { text: 'edit it' }] }],
    });
    const decoded = await decode(finalImage(response).bytes);
    expect([decoded.width, decoded.height]).toEqual([1024, 1024]);
  });

  it('Pro, 2.1 and Lite use the same grid for their sizes and ratios', async () => {
    const pro = await dims(PRO, { imageConfig: { aspectRatio: '21:9', imageSize: '2K' } });
    expect([pro.width, pro.height]).toEqual([3168, 1344]);
    const pro1k = await dims(PRO, { imageConfig: { aspectRatio: '3:4' } });
    expect([pro1k.width, pro1k.height]).toEqual([896, 1200]);
    const nb21 = await dims(NB21, { imageConfig: { aspectRatio: '4:5', imageSize: '2K' } });
    expect([nb21.width, nb21.height]).toEqual([1856, 2304]);
    const lite = await dims(LITE, { imageConfig: { aspectRatio: '1:8', imageSize: '1K' } });
    expect([lite.width, lite.height]).toEqual([384, 3072]);
    expect(lite.sniffed).toBe('jpeg');
  });

  it('gemini-2.5-flash-image returns a real PNG at its own size for each of its 10 ratios', async () => {
    for (const ratio of RATIOS_10) {
      const result = await dims(NB1, { imageConfig: { aspectRatio: ratio } });
      expect([result.width, result.height], ratio).toEqual(NB1_GRID[ratio]);
      expect(result.format).toBe('png');
      expect(result.mimeType).toBe('image/png');
    }
  });

  it('JPEG sizes are realistic at 1K (150–500 KB)', async () => {
    const response = await generate(NB2, 'a detailed market street at noon');
    const size = finalImage(response).bytes.length;
    expect(size).toBeGreaterThan(150_000);
    expect(size).toBeLessThan(500_000);
  });
});

describe('determinism', () => {
  it('same model, prompt, size, ratio and seed give identical bytes, even from a fresh emulator', async () => {
    const config = { seed: 7, imageConfig: { aspectRatio: '3:2', imageSize: '1K' } };
    const first = finalImage(await generate(NB2, 'a teapot', config)).bytes;
    const other = await startEmulator({ startAt: BEFORE_SHUTDOWNS });
    try {
      const fresh = finalImage(
        await sdk(other).models.generateContent({ model: NB2, contents: 'a teapot', config }),
      ).bytes;
      expect(fresh.equals(first)).toBe(true);
    } finally {
      await other.close();
    }
    const differentPrompt = finalImage(await generate(NB2, 'a coffee pot', config)).bytes;
    expect(differentPrompt.equals(first)).toBe(false);
    const differentSeed = finalImage(await generate(NB2, 'a teapot', { ...config, seed: 8 })).bytes;
    expect(differentSeed.equals(first)).toBe(false);
  });
});

describe('response shape', () => {
  it('includeThoughts: thought text, one thought image without signature, then signed text and image', async () => {
    const response = await generate(NB2, 'a paper boat', {
      responseModalities: ['TEXT', 'IMAGE'],
      thinkingConfig: { includeThoughts: true, thinkingLevel: 'HIGH' },
    });
    const parts = partsOf(response);
    expect(parts).toHaveLength(4);
    const [thoughtText, thoughtImage, answer, image] = parts;
    expect(thoughtText?.thought).toBe(true);
    expect(thoughtText?.text).toBeTruthy();
    expect(thoughtText?.thoughtSignature).toBeUndefined();
    expect(thoughtImage?.thought).toBe(true);
    expect(thoughtImage?.inlineData?.data).toBeTruthy();
    expect(thoughtImage?.thoughtSignature).toBeUndefined();
    expect(thoughtImage?.inlineData?.data).not.toBe(image?.inlineData?.data);
    expect(answer?.text).toBeTruthy();
    expect(answer?.thought).toBeUndefined();
    expect(answer?.thoughtSignature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(image?.thoughtSignature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(image?.thoughtSignature).not.toBe(answer?.thoughtSignature);

    const candidate = response.candidates?.[0];
    expect(candidate?.finishReason).toBe('STOP');
    expect(candidate?.index).toBe(0);
    expect(response.modelVersion).toBe(NB2);
    expect(response.responseId).toBeTruthy();
    expect(JSON.stringify(response)).not.toContain('continuationToken');
    expect(response.usageMetadata?.thoughtsTokenCount).toBeGreaterThan(0);

    // Same request again: same signatures (deterministic), so they can be verified later.
    const again = partsOf(
      await generate(NB2, 'a paper boat', {
        responseModalities: ['TEXT', 'IMAGE'],
        thinkingConfig: { includeThoughts: true, thinkingLevel: 'HIGH' },
      }),
    );
    expect(again[3]?.thoughtSignature).toBe(image?.thoughtSignature);
  });

  it('without includeThoughts there are no thought parts; IMAGE-only has no text; 2.5 has no signatures', async () => {
    const plain = partsOf(await generate(NB2, 'a kite'));
    expect(plain.some((p) => p.thought)).toBe(false);
    expect(plain.map((p) => (p.text ? 'text' : 'image'))).toEqual(['text', 'image']);

    const imageOnly = partsOf(await generate(PRO, 'a kite', { responseModalities: ['image'] }));
    expect(imageOnly).toHaveLength(1);
    expect(imageOnly[0]?.thoughtSignature).toBeTruthy();

    const legacy = partsOf(await generate(NB1, 'a kite', { thinkingConfig: { includeThoughts: true } }));
    expect(legacy.some((p) => p.thought || p.thoughtSignature)).toBe(false);
  });

  it('usageMetadata: image tokens per model and size, prompt tokens for text and images, totals add up', async () => {
    const cases: Array<[string, Record<string, unknown>, number]> = [
      [NB2, { imageConfig: { imageSize: '512' } }, 747],
      [NB2, { imageConfig: { imageSize: '1K' } }, 1120],
      [NB2, { imageConfig: { imageSize: '2K' } }, 1680],
      [PRO, { imageConfig: { imageSize: '2K' } }, 1120],
      [NB1, {}, 1290],
    ];
    for (const [model, config, tokens] of cases) {
      const usage = (await generate(model, 'one two three four five six seven eight nine ten', config)).usageMetadata;
      const image = usage?.candidatesTokensDetails?.find((d) => d.modality === 'IMAGE');
      expect(image?.tokenCount, `${model} ${JSON.stringify(config)}`).toBe(tokens);
      expect(usage?.promptTokenCount).toBe(13);
      expect(usage?.totalTokenCount).toBe(
        (usage?.promptTokenCount ?? 0) +
          (usage?.candidatesTokenCount ?? 0) +
          (usage?.thoughtsTokenCount ?? 0) +
          (usage?.toolUsePromptTokenCount ?? 0),
      );
      if (model === NB1) expect(usage?.thoughtsTokenCount).toBeUndefined();
      else expect(usage?.thoughtsTokenCount).toBeGreaterThan(0);
    }

    const png = (await tinyPng()).toString('base64');
    const withRefs = await sdk(emu).models.generateContent({
      model: NB2,
      contents: [
        {
          role: 'user',
          parts: [
            { inlineData: { data: png, mimeType: 'image/png' } },
            { inlineData: { data: png, mimeType: 'image/png' } },
            { text: 'combine these' },
          ],
        },
      ],
    });
    const details = withRefs.usageMetadata?.promptTokensDetails ?? [];
    // 3.1 Flash Image counts 1,120 input tokens per reference image (Vertex AI model card; gemini-api.md item 7).
    expect(details.find((d) => d.modality === 'IMAGE')?.tokenCount).toBe(2240);
    expect(details.find((d) => d.modality === 'TEXT')?.tokenCount).toBe(3);
    expect(withRefs.usageMetadata?.promptTokenCount).toBe(2243);
  });

  it('grounding adds groundingMetadata with three web chunks, queries and a search entry point', async () => {
    const response = await generate(NB2, 'the weather in Paris today as an infographic', {
      tools: [{ googleSearch: {} }],
    });
    const grounding = response.candidates?.[0]?.groundingMetadata;
    expect(grounding?.groundingChunks).toHaveLength(3);
    for (const chunk of grounding?.groundingChunks ?? []) expect(chunk.web?.uri).toMatch(/^https:\/\/example\.com\//);
    expect(grounding?.webSearchQueries?.length).toBeGreaterThan(0);
    expect(grounding?.searchEntryPoint?.renderedContent).toContain('<');
    expect(response.usageMetadata?.toolUsePromptTokenCount).toBeGreaterThan(0);
  });
});

describe('validation errors (status and Google message as the SDK surfaces them)', () => {
  it('unknown model → 404 NOT_FOUND', async () => {
    const { status, error } = await apiError(generate('gemini-9-imaginary-image', 'x'));
    expect(status).toBe(404);
    expect(error.status).toBe('NOT_FOUND');
    expect(error.message).toBe(
      'models/gemini-9-imaginary-image is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.',
    );
  });

  it('bad ratio → 400 listing the ratios of the model', async () => {
    const flash = await apiError(generate(NB2, 'x', { imageConfig: { aspectRatio: '7:3' } }));
    expect(flash.status).toBe(400);
    expect(flash.error.status).toBe('INVALID_ARGUMENT');
    expect(flash.error.message).toBe(
      "* GenerateContentRequest.generation_config.image_config.aspect_ratio: aspect_ratio must be one of '1:1', '1:4', '1:8', '2:3', '3:2', '3:4', '4:1', '4:3', '4:5', '5:4', '8:1', '9:16', '16:9', or '21:9'.\n",
    );
    const pro = await apiError(generate(PRO, 'x', { imageConfig: { aspectRatio: '8:1' } }));
    expect(pro.status).toBe(400);
    expect(pro.error.message).toContain("aspect_ratio must be one of '1:1', '2:3'");
    expect(pro.error.message).not.toContain("'8:1'");
  });

  it('512 on Pro, lowercase 1k, 2K on Lite and imageSize on 2.5 → 400', async () => {
    const pro512 = await apiError(generate(PRO, 'x', { imageConfig: { imageSize: '512' } }));
    expect(pro512.status).toBe(400);
    expect(pro512.error.message).toContain("image_size must be one of '1K', '2K', or '4K'.");
    const lower = await apiError(generate(NB2, 'x', { imageConfig: { imageSize: '1k' } }));
    expect(lower.status).toBe(400);
    expect(lower.error.message).toContain("image_size must be one of '512', '1K', '2K', or '4K'.");
    const lite = await apiError(generate(LITE, 'x', { imageConfig: { imageSize: '2K' } }));
    expect(lite.error.message).toContain("image_size must be one of '1K'.");
    const legacy = await apiError(generate(NB1, 'x', { imageConfig: { imageSize: '1K' } }));
    expect(legacy.status).toBe(400);
    expect(legacy.error.message).toContain('image_size is not supported by models/gemini-2.5-flash-image');
  });

  it('thinkingLevel on Pro, grounding on Lite, unknown fields and bad modalities → 400', async () => {
    const thinking = await apiError(generate(PRO, 'x', { thinkingConfig: { thinkingLevel: 'HIGH' } }));
    expect(thinking.status).toBe(400);
    expect(thinking.error.message).toBe('Thinking level is not supported for this model.');
    // includeThoughts alone is fine on Pro
    expect(partsOf(await generate(PRO, 'x', { thinkingConfig: { includeThoughts: true } }))).toHaveLength(4);

    const grounding = await apiError(generate(LITE, 'x', { tools: [{ googleSearch: {} }] }));
    expect(grounding.status).toBe(400);
    expect(grounding.error.message).toContain('not supported');

    const unknown = await apiError(
      sdk(emu, { extraBody: { generationConfig: { aspectRatio: '1:1' } } }).models.generateContent({
        model: NB2,
        contents: 'x',
      }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.error.message).toBe(
      'Invalid JSON payload received. Unknown name "aspectRatio" at \'generation_config\': Cannot find field.',
    );

    const modality = await apiError(generate(NB2, 'x', { responseModalities: ['PICTURE'] }));
    expect(modality.status).toBe(400);
    expect(modality.error.message).toContain("Invalid value at 'generation_config.response_modalities[0]'");
    // …but enum values are case-insensitive, like Google's parser
    expect(
      finalImage(await generate(NB2, 'x', { responseModalities: ['Text', 'Image'] })).bytes.length,
    ).toBeGreaterThan(0);
  });

  it('too many reference images → 400 (15 on NB2, 4 on 2.5)', async () => {
    const png = (await tinyPng()).toString('base64');
    const refs = (n: number) => [
      ...Array.from({ length: n }, () => ({ inlineData: { data: png, mimeType: 'image/png' } })),
      { text: 'combine' },
    ];
    const many = await apiError(
      sdk(emu).models.generateContent({ model: NB2, contents: [{ role: 'user', parts: refs(15) }] }),
    );
    expect(many.status).toBe(400);
    expect(many.error.message).toContain('at most 14');
    const legacy = await apiError(
      sdk(emu).models.generateContent({ model: NB1, contents: [{ role: 'user', parts: refs(4) }] }),
    );
    expect(legacy.error.message).toContain('at most 3');
    const ok = await sdk(emu).models.generateContent({ model: NB2, contents: [{ role: 'user', parts: refs(14) }] });
    expect(finalImage(ok).bytes.length).toBeGreaterThan(0);
  });

  it('bad key → 400 API_KEY_INVALID with ErrorInfo and LocalizedMessage', async () => {
    const { status, error } = await apiError(
      sdk(emu, {}, 'invalid-key').models.generateContent({ model: NB2, contents: 'x' }),
    );
    expect(status).toBe(400);
    expect(error.message).toBe('API key not valid. Please pass a valid API key.');
    expect(error.status).toBe('INVALID_ARGUMENT');
    expect(error.details?.[0]).toMatchObject({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
    });
    expect(error.details?.[1]?.['@type']).toBe('type.googleapis.com/google.rpc.LocalizedMessage');

    const strict = await startEmulator({ apiKey: 'the-one-key', startAt: BEFORE_SHUTDOWNS });
    try {
      await expect(
        sdk(strict, {}, 'another-key').models.generateContent({ model: NB2, contents: 'x' }),
      ).rejects.toBeInstanceOf(ApiError);
      const ok = await sdk(strict, {}, 'the-one-key').models.generateContent({ model: NB2, contents: 'x' });
      expect(ok.candidates?.[0]?.finishReason).toBe('STOP');
      // ?key= works as well as the header
      const res = await fetch(`${strict.url}/v1beta/models?key=the-one-key`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    } finally {
      await strict.close();
    }
  });
});

describe('multi-turn', () => {
  it('ai.chats: two turns work and the second carries the first answer and its signatures back', async () => {
    const chat = sdk(emu).chats.create({
      model: NB2,
      config: { responseModalities: ['TEXT', 'IMAGE'], thinkingConfig: { includeThoughts: true } },
    });
    const first = await chat.sendMessage({ message: 'a red vintage car' });
    expect(finalImage(first).bytes.length).toBeGreaterThan(0);
    const second = await chat.sendMessage({ message: 'make it blue' });
    expect(finalImage(second).bytes.length).toBeGreaterThan(0);

    const body = emu.requests.at(-1)?.body as {
      contents: Array<{ role: string; parts: Array<Record<string, unknown>> }>;
    };
    expect(body.contents.map((c) => c.role)).toEqual(['user', 'model', 'user']);
    const modelParts = body.contents[1]?.parts ?? [];
    expect(modelParts.filter((p) => p.thoughtSignature)).toHaveLength(2);
    // Two images in the history, 1,120 tokens each on 3.1 Flash Image (Vertex AI model card).
    expect(second.usageMetadata?.promptTokensDetails?.find((d) => d.modality === 'IMAGE')?.tokenCount).toBe(2240);
  });

  async function firstTurn(model: string) {
    const response = await generate(model, 'a tiny house', { responseModalities: ['TEXT', 'IMAGE'] });
    return response.candidates?.[0]?.content ?? { role: 'model', parts: [] };
  }

  it('a hand-built history with a stripped image signature → 400 on NB2 and 2.1, accepted by Pro', async () => {
    for (const model of [NB2, NB21]) {
      const answer = await firstTurn(model);
      const stripped = {
        role: 'model',
        parts: (answer.parts ?? []).map(({ thoughtSignature: _drop, ...rest }) => rest),
      };
      const { status, error } = await apiError(
        sdk(emu).models.generateContent({
          model,
          contents: [
            { role: 'user', parts: [{ text: 'a tiny house' }] },
            stripped,
            { role: 'user', parts: [{ text: 'add snow' }] },
          ],
        }),
      );
      expect(status).toBe(400);
      expect(error.message).toBe(
        'Image part is missing a thought_signature in content position 2, part position 2. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures#model-behavior for more details.',
      );
    }
    const proAnswer = await firstTurn(PRO);
    const proStripped = {
      role: 'model',
      parts: (proAnswer.parts ?? []).map(({ thoughtSignature: _d, ...rest }) => rest),
    };
    const ok = await sdk(emu).models.generateContent({
      model: PRO,
      contents: [
        { role: 'user', parts: [{ text: 'a tiny house' }] },
        proStripped,
        { role: 'user', parts: [{ text: 'add snow' }] },
      ],
    });
    expect(finalImage(ok).bytes.length).toBeGreaterThan(0);
  });

  it('a tampered signature or a swapped image → 400 Corrupted thought signature', async () => {
    const answer = await firstTurn(NB2);
    const parts = answer.parts ?? [];
    const tampered = parts.map((p) =>
      p.inlineData ? { ...p, thoughtSignature: Buffer.from('forged').toString('base64') } : p,
    );
    const forged = await apiError(
      sdk(emu).models.generateContent({
        model: NB2,
        contents: [
          { role: 'user', parts: [{ text: 'a tiny house' }] },
          { role: 'model', parts: tampered },
          { role: 'user', parts: [{ text: 'more' }] },
        ],
      }),
    );
    expect(forged.status).toBe(400);
    expect(forged.error.message).toBe('Corrupted thought signature.');

    const other = (await tinyPng('#00f')).toString('base64');
    const swapped = parts.map((p) => (p.inlineData ? { ...p, inlineData: { mimeType: 'image/png', data: other } } : p));
    const swap = await apiError(
      sdk(emu).models.generateContent({
        model: NB2,
        contents: [
          { role: 'user', parts: [{ text: 'a tiny house' }] },
          { role: 'model', parts: swapped },
          { role: 'user', parts: [{ text: 'more' }] },
        ],
      }),
    );
    expect(swap.error.message).toBe('Corrupted thought signature.');
  });
});

describe('streaming', () => {
  it('text chunk, whole image chunk, then an empty-content chunk with finishReason and running usage', async () => {
    const stream = await sdk(emu).models.generateContentStream({
      model: NB2,
      contents: 'a stream of light',
      config: { imageConfig: { aspectRatio: '16:9' } },
    });
    const chunks: GenerateContentResponse[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(3);
    const [text, image, last] = chunks;
    expect(partsOf(text as GenerateContentResponse)[0]?.text).toBeTruthy();
    const decoded = await decode(finalImage(image as GenerateContentResponse).bytes);
    expect([decoded.width, decoded.height]).toEqual([1376, 768]);
    expect(last?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last?.candidates?.[0]?.content?.parts).toBeUndefined();
    expect(chunks.slice(0, 2).every((c) => c.candidates?.[0]?.finishReason === undefined)).toBe(true);
    expect(text?.usageMetadata?.candidatesTokenCount).toBeLessThan(image?.usageMetadata?.candidatesTokenCount ?? 0);
    expect(last?.usageMetadata?.totalTokenCount).toBe(image?.usageMetadata?.totalTokenCount);
    expect(emu.requests.at(-1)?.query.alt).toBe('sse');
  });

  it('raw wire: text/event-stream with \\r\\n\\r\\n separated data events', async () => {
    const res = await fetch(`${emu.url}/v1beta/models/${TEXT}:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hello there, how are you today?' }] }] }),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const body = await res.text();
    const events = body.split('\r\n\r\n').filter(Boolean);
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (const event of events) expect(event.startsWith('data: ')).toBe(true);
    const lastEvent = JSON.parse((events.at(-1) ?? '').slice(6));
    expect(lastEvent.candidates[0].finishReason).toBe('STOP');
  });

  it('a blocked prompt in a stream is one event with promptFeedback', async () => {
    emu.faults.enqueue({ kind: 'block' });
    const chunks: GenerateContentResponse[] = [];
    for await (const c of await sdk(emu).models.generateContentStream({ model: NB2, contents: 'x' })) chunks.push(c);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.promptFeedback?.blockReason).toBe('PROHIBITED_CONTENT');
  });
});

describe('faults', () => {
  it('429 carries QuotaFailure, Help and RetryInfo, plus Retry-After when asked', async () => {
    emu.faults.enqueue({ kind: '429', retryDelay: '1.5s' });
    const { status, error } = await apiError(generate(NB2, 'x'));
    expect(status).toBe(429);
    expect(error.status).toBe('RESOURCE_EXHAUSTED');
    expect(error.message).toContain('You exceeded your current quota');
    expect(error.message).toContain('model: gemini-3.1-flash-image');
    const types = (error.details ?? []).map((d) => String(d['@type']).split('.').at(-1));
    expect(types).toEqual(['QuotaFailure', 'Help', 'RetryInfo']);
    expect(error.details?.[2]?.retryDelay).toBe('1.5s');

    emu.faults.enqueue({ kind: '429', retryAfterSeconds: 7 });
    const res = await fetch(`${emu.url}/v1beta/models/${NB2}:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
  });

  it('500, 503 JSON, 503 HTML and bad-key', async () => {
    emu.faults.enqueue({ kind: '500' });
    const internal = await apiError(generate(NB2, 'x'));
    expect([internal.status, internal.error.status]).toEqual([500, 'INTERNAL']);

    emu.faults.enqueue({ kind: '503' });
    const unavailable = await apiError(generate(NB2, 'x'));
    expect([unavailable.status, unavailable.error.message]).toEqual([
      503,
      'This model is currently experiencing high demand. Spikes in demand are usually temporary. Please try again later.',
    ]);
    emu.faults.enqueue({ kind: '503-overloaded' });
    const older = await apiError(generate(NB2, 'x'));
    expect([older.status, older.error.message]).toEqual([503, 'The model is overloaded. Please try again later.']);

    emu.faults.enqueue({ kind: '503-html' });
    const html = await apiError(generate(NB2, 'x'));
    expect(html.status).toBe(503);
    expect(html.error.status).toBe('Service Unavailable');
    expect(html.error.message).toContain('<!DOCTYPE html>');

    emu.faults.enqueue({ kind: 'bad-key' });
    const key = await apiError(generate(NB2, 'x'));
    expect(key.error.details?.[0]?.reason).toBe('API_KEY_INVALID');
  });

  it('hang → the SDK timeout fires (AbortError); drop → TypeError fetch failed; malformed → parse error', async () => {
    emu.faults.enqueue({ kind: 'hang' });
    const started = Date.now();
    const hung = await caught(sdk(emu, { timeout: 300 }).models.generateContent({ model: NB2, contents: 'x' }));
    expect((hung as Error).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(2000);

    emu.faults.enqueue({ kind: 'drop' });
    const dropped = await caught(generate(NB2, 'x'));
    expect(dropped).toBeInstanceOf(TypeError);
    expect((dropped as Error).message).toBe('fetch failed');

    emu.faults.enqueue({ kind: 'malformed' });
    const broken = await caught(generate(NB2, 'x'));
    expect(broken).toBeInstanceOf(SyntaxError);
  });

  it('block, refuse (with finishMessage on the wire), text-only', async () => {
    emu.faults.enqueue({ kind: 'block', reason: 'SAFETY' });
    const blocked = await generate(NB2, 'x');
    expect(blocked.candidates).toBeUndefined();
    expect(blocked.promptFeedback?.blockReason).toBe('SAFETY');
    expect(blocked.usageMetadata?.promptTokenCount).toBeGreaterThan(0);

    for (const reason of [undefined, 'IMAGE_PROHIBITED_CONTENT', 'NO_IMAGE', 'IMAGE_OTHER', 'SAFETY', 'RECITATION']) {
      emu.faults.enqueue({ kind: 'refuse', ...(reason ? { reason } : {}) });
      const refused = await generate(NB2, 'x');
      const candidate = refused.candidates?.[0];
      expect(candidate?.finishReason).toBe(reason ?? 'IMAGE_SAFETY');
      expect(candidate?.content?.role).toBe('model');
      expect(candidate?.content?.parts).toBeUndefined();
    }
    emu.faults.enqueue({ kind: 'refuse' });
    const raw = await fetch(`${emu.url}/v1beta/models/${NB2}:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'k' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }),
    });
    const rawBody = (await raw.json()) as { candidates: Array<{ finishMessage?: string }> };
    expect(rawBody.candidates[0]?.finishMessage).toBeTruthy();

    emu.faults.enqueue({ kind: 'text-only' });
    const textOnly = await generate(NB2, 'x');
    expect(textOnly.candidates?.[0]?.finishReason).toBe('STOP');
    expect(partsOf(textOnly).some((p) => p.inlineData)).toBe(false);
    expect(textOnly.text).toBeTruthy();
  });

  it('stream-error: the first chunk arrives, then the SDK throws ApiError 503 mid-stream', async () => {
    emu.faults.enqueue({ kind: 'stream-error' });
    const stream = await sdk(emu).models.generateContentStream({ model: NB2, contents: 'x' });
    const received: GenerateContentResponse[] = [];
    const error = await caught(
      (async () => {
        for await (const chunk of stream) received.push(chunk);
      })(),
    );
    expect(received).toHaveLength(1);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect((error as ApiError).message).toMatch(/^got status: UNAVAILABLE\. /);
  });

  it('latency (fault, global and option) delays the answer; match and times select calls', async () => {
    emu.faults.enqueue({ kind: 'latency', latencyMs: 300 });
    let started = Date.now();
    await generate(NB2, 'slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    emu.faults.setGlobal({ latencyMs: 200 });
    started = Date.now();
    await generate(NB2, 'slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    emu.faults.setGlobal(null);

    emu.faults.enqueue({ kind: '500' }, { times: 2, match: { model: PRO, promptIncludes: 'target' } });
    expect((await generate(NB2, 'target')).candidates?.[0]?.finishReason).toBe('STOP');
    expect((await generate(PRO, 'other')).candidates?.[0]?.finishReason).toBe('STOP');
    expect((await apiError(generate(PRO, 'the target'))).status).toBe(500);
    expect((await apiError(generate(PRO, 'target again'))).status).toBe(500);
    expect((await generate(PRO, 'target')).candidates?.[0]?.finishReason).toBe('STOP');

    const slow = await startEmulator({ latencyMs: 250, startAt: BEFORE_SHUTDOWNS });
    try {
      started = Date.now();
      await sdk(slow).models.generateContent({ model: TEXT, contents: 'hi' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(240);
      expect(slow.stats().serverMsTotal).toBeLessThan(200);
    } finally {
      await slow.close();
    }
  });

  it('the SDK retry loop recovers from two 429s', async () => {
    emu.faults.enqueue({ kind: '429' }, { times: 2 });
    const response = await sdk(emu, {
      retryOptions: { attempts: 3, initialDelay: 0.01, maxDelay: 0.05 },
    }).models.generateContent({
      model: NB2,
      contents: 'persist',
    });
    expect(finalImage(response).bytes.length).toBeGreaterThan(0);
    expect(emu.requests).toHaveLength(3);
  });
});

describe('prompt directives', () => {
  it('[emulator:429x2] fails the first two attempts of that prompt, then succeeds', async () => {
    const prompt = 'a fox [emulator:429x2]';
    expect((await apiError(generate(NB2, prompt))).status).toBe(429);
    expect((await apiError(generate(NB2, prompt))).status).toBe(429);
    expect(finalImage(await generate(NB2, prompt)).bytes.length).toBeGreaterThan(0);
    // a different prompt has its own count
    expect((await apiError(generate(NB2, 'a wolf [emulator:429x1]'))).status).toBe(429);
  });

  it('refuse=, block, text-only, 503, latency=, malformed and drop directives', async () => {
    const refused = await generate(NB2, 'x [emulator:refuse=IMAGE_SAFETY]');
    expect(refused.candidates?.[0]?.finishReason).toBe('IMAGE_SAFETY');
    const noImage = await generate(NB2, 'x [emulator:refuse=NO_IMAGE]');
    expect(noImage.candidates?.[0]?.finishReason).toBe('NO_IMAGE');
    expect((await generate(NB2, 'x [emulator:block]')).promptFeedback?.blockReason).toBe('PROHIBITED_CONTENT');
    expect(partsOf(await generate(NB2, 'x [emulator:text-only]')).some((p) => p.inlineData)).toBe(false);
    expect((await apiError(generate(NB2, 'x [emulator:503]'))).status).toBe(503);
    expect((await apiError(generate(NB2, 'x [emulator:500]'))).status).toBe(500);
    const started = Date.now();
    await generate(NB2, 'x [emulator:latency=400]');
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(await caught(generate(NB2, 'x [emulator:malformed]'))).toBeInstanceOf(SyntaxError);
    expect(await caught(generate(NB2, 'x [emulator:drop]'))).toBeInstanceOf(TypeError);
    const hung = await caught(
      sdk(emu, { timeout: 200 }).models.generateContent({ model: NB2, contents: 'x [emulator:hang]' }),
    );
    expect((hung as Error).name).toBe('AbortError');
  });
});

describe('Files API', () => {
  it('uploads a small Blob, gets it, uses it in a prompt, deletes it', async () => {
    const ai = sdk(emu);
    const png = await tinyPng();
    const file = await ai.files.upload({
      file: new Blob([new Uint8Array(png)]),
      config: { mimeType: 'image/png', displayName: 'swatch' },
    });
    expect(file.name).toMatch(/^files\/[a-z0-9]{1,40}$/);
    expect(file.sizeBytes).toBe(String(png.length));
    expect(file.state).toBe('ACTIVE');
    expect(file.mimeType).toBe('image/png');
    expect(file.displayName).toBe('swatch');
    expect(Date.parse(file.expirationTime ?? '') - Date.parse(file.createTime ?? '')).toBe(48 * 3600_000);

    const chunk = emu.requests.find((r) => r.query.upload_id);
    expect(chunk?.headers['x-goog-upload-command']).toBe('upload, finalize');
    expect(chunk?.body).toBeUndefined();

    expect(await ai.files.get({ name: file.name ?? '' })).toEqual(file);

    const used = await ai.models.generateContent({
      model: NB2,
      contents: [
        { role: 'user', parts: [{ fileData: { fileUri: file.uri, mimeType: 'image/png' } }, { text: 'restyle' }] },
      ],
    });
    expect(finalImage(used).bytes.length).toBeGreaterThan(0);
    expect(used.usageMetadata?.promptTokensDetails?.find((d) => d.modality === 'IMAGE')?.tokenCount).toBe(1120);

    await ai.files.delete({ name: file.name ?? '' });
    const gone = await apiError(ai.files.get({ name: file.name ?? '' }));
    expect(gone.status).toBe(403);
    expect(gone.error.status).toBe('PERMISSION_DENIED');
    expect(gone.error.message).toBe(
      `You do not have permission to access the File ${file.name?.slice(6)} or it may not exist.`,
    );
  });

  it('uploads a file larger than 8 MiB in two chunks with correct offsets', async () => {
    const size = 8 * 1024 * 1024 + 12_345;
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i += 4096) data[i] = i % 251;
    const file = await sdk(emu).files.upload({ file: new Blob([data]), config: { mimeType: 'video/mp4' } });
    expect(file.sizeBytes).toBe(String(size));
    const chunks = emu.requests.filter((r) => r.query.upload_id);
    expect(chunks.map((c) => c.headers['x-goog-upload-command'])).toEqual(['upload', 'upload, finalize']);
    expect(chunks.map((c) => c.headers['x-goog-upload-offset'])).toEqual(['0', String(8 * 1024 * 1024)]);
  });

  it('rejects a chunk at the wrong offset and a short finalize', async () => {
    const start = await fetch(`${emu.url}/upload/v1beta/files`, {
      method: 'POST',
      headers: {
        'x-goog-api-key': 'k',
        'x-goog-upload-protocol': 'resumable',
        'x-goog-upload-command': 'start',
        'x-goog-upload-header-content-length': '10',
        'x-goog-upload-header-content-type': 'image/png',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ file: { mimeType: 'image/png' } }),
    });
    const url = start.headers.get('x-goog-upload-url') ?? '';
    expect(url).toMatch(/^http:\/\/.+\/upload\/v1beta\/files\?upload_id=.+&upload_protocol=resumable$/);
    const wrongOffset = await fetch(url, {
      method: 'POST',
      headers: { 'x-goog-upload-command': 'upload', 'x-goog-upload-offset': '5' },
      body: new Uint8Array(5),
    });
    expect(wrongOffset.status).toBe(400);
    const partial = await fetch(url, {
      method: 'POST',
      headers: { 'x-goog-upload-command': 'upload', 'x-goog-upload-offset': '0' },
      body: new Uint8Array(4),
    });
    expect(partial.headers.get('x-goog-upload-status')).toBe('active');
    const short = await fetch(url, {
      method: 'POST',
      headers: { 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': '4' },
      body: new Uint8Array(4),
    });
    expect(short.status).toBe(400);
  });

  it('lists with paging (pageSize 2 over 5 files)', async () => {
    const ai = sdk(emu);
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      const file = await ai.files.upload({
        file: new Blob([new Uint8Array([i, 1, 2, 3])]),
        config: { mimeType: 'image/png' },
      });
      names.push(file.name ?? '');
    }
    const pager = await ai.files.list({ config: { pageSize: 2 } });
    expect(pager.page).toHaveLength(2);
    const listed: string[] = [];
    for await (const file of pager) listed.push(file.name ?? '');
    expect(listed).toEqual(names);
    const pages = emu.requests.filter((r) => r.method === 'GET' && r.path === '/v1beta/files');
    expect(pages).toHaveLength(3);
    expect(pages[0]?.query.pageSize).toBe('2');
    expect(pages[1]?.query.pageToken).toBeTruthy();
  });

  it('files expire 48 h after creation: get and use in generateContent → 403', async () => {
    const ai = sdk(emu);
    const file = await ai.files.upload({
      file: new Blob([new Uint8Array(await tinyPng())]),
      config: { mimeType: 'image/png' },
    });
    emu.clock.advance(48 * 3600_000 - 1000);
    expect((await ai.files.get({ name: file.name ?? '' })).state).toBe('ACTIVE');
    emu.clock.advance(1001);
    expect((await apiError(ai.files.get({ name: file.name ?? '' }))).status).toBe(403);
    const used = await apiError(
      ai.models.generateContent({
        model: NB2,
        contents: [
          { role: 'user', parts: [{ fileData: { fileUri: file.uri, mimeType: 'image/png' } }, { text: 'x' }] },
        ],
      }),
    );
    expect(used.status).toBe(403);
    expect(used.error.message).toContain('or it may not exist.');
  });
});

describe('text models and structured output', () => {
  it('responseJsonSchema from zod: the JSON text validates against the schema', async () => {
    const Schema = z.object({
      refined: z.string().min(10).max(400),
      negative: z.string().optional(),
      style: z.enum(['photo', 'illustration', 'render']),
      tags: z.array(z.string()).min(2).max(5),
      score: z.number().min(0).max(1),
      steps: z.number().int().min(1).max(4),
      subject: z.object({ name: z.string(), count: z.number().int().nonnegative() }),
      safe: z.boolean(),
      mood: z.string().nullable(),
    });
    const response = await sdk(emu).models.generateContent({
      model: TEXT,
      contents: 'a cat on a roof',
      config: {
        systemInstruction: 'You refine prompts.',
        responseMimeType: 'application/json',
        responseJsonSchema: z.toJSONSchema(Schema),
      },
    });
    const value = Schema.parse(JSON.parse(response.text ?? ''));
    expect(value.refined).toContain('a cat on a roof');
    expect(response.usageMetadata?.totalTokenCount).toBeGreaterThan(0);

    const again = await sdk(emu).models.generateContent({
      model: TEXT,
      contents: 'a cat on a roof',
      config: { responseMimeType: 'application/json', responseJsonSchema: z.toJSONSchema(Schema) },
    });
    expect(again.text).toBe(response.text);
  });

  it('responseSchema (Google Schema) and plain text on the lite text model', async () => {
    const response = await sdk(emu).models.generateContent({
      model: 'gemini-3.5-flash-lite',
      contents: 'four names for a bakery',
      config: {
        responseMimeType: 'application/json',
        responseSchema: {
          type: Type.OBJECT,
          properties: { names: { type: Type.ARRAY, items: { type: Type.STRING }, minItems: '4', maxItems: '4' } },
          required: ['names'],
        },
      },
    });
    const value = JSON.parse(response.text ?? '') as { names: string[] };
    expect(value.names).toHaveLength(4);

    const plain = await sdk(emu).models.generateContent({ model: TEXT, contents: 'say hello' });
    expect(plain.text).toContain('say hello');
    expect(partsOf(plain).some((p) => p.inlineData)).toBe(false);

    const noImages = await apiError(
      sdk(emu).models.generateContent({ model: TEXT, contents: 'x', config: { responseModalities: ['IMAGE'] } }),
    );
    expect(noImages.status).toBe(400);
    const noJson = await apiError(generate(NB2, 'x', { responseMimeType: 'application/json' }));
    expect(noJson.status).toBe(400);
  });

  it('models.get and models.list know the emulator table', async () => {
    const ai = sdk(emu);
    const model = await ai.models.get({ model: NB2 });
    expect(model.name).toBe(`models/${NB2}`);
    const names: string[] = [];
    for await (const m of await ai.models.list({ config: { pageSize: 3 } })) names.push(m.name ?? '');
    expect(names).toEqual(expect.arrayContaining([NB2, PRO, NB21, LITE, NB1, TEXT].map((id) => `models/${id}`)));
    expect((await apiError(ai.models.get({ model: 'gemini-0-nothing' }))).status).toBe(404);
  });
});

describe('routes, control surface and lifecycle', () => {
  it('accepts v1 (the SDK default) and Vertex express paths', async () => {
    const v1 = new (await import('@google/genai')).GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: emu.url } });
    const viaV1 = await v1.models.generateContent({ model: TEXT, contents: 'hi' });
    expect(viaV1.text).toBeTruthy();
    expect(emu.requests.at(-1)?.path).toBe(`/v1/models/${TEXT}:generateContent`);

    const vertex = new (await import('@google/genai')).GoogleGenAI({
      vertexai: true,
      apiKey: 'k',
      httpOptions: { baseUrl: emu.url },
    });
    const viaVertex = await vertex.models.generateContent({ model: NB2, contents: 'hi' });
    expect(finalImage(viaVertex).bytes.length).toBeGreaterThan(0);
    expect(emu.requests.at(-1)?.path).toBe(`/v1beta1/publishers/google/models/${NB2}:generateContent`);
  });

  it('control endpoints: faults, requests, stats, clock, reset', async () => {
    await control(emu, 'POST', 'faults', { fault: { kind: '503' }, times: 1, match: { promptIncludes: 'ctl' } });
    expect((await apiError(generate(NB2, 'ctl one'))).status).toBe(503);
    expect(finalImage(await generate(NB2, 'ctl two')).bytes.length).toBeGreaterThan(0);

    await control(emu, 'POST', 'faults', { fault: { kind: '500' }, times: 5 });
    await control(emu, 'DELETE', 'faults');
    expect(finalImage(await generate(NB2, 'ctl three')).bytes.length).toBeGreaterThan(0);

    const { requests } = (await control(emu, 'GET', 'requests')) as { requests: Array<{ path: string }> };
    expect(requests).toHaveLength(3);
    expect(requests.every((r) => r.path.endsWith(':generateContent'))).toBe(true);

    const stats = (await control(emu, 'GET', 'stats')) as ReturnType<Emulator['stats']>;
    expect(stats.generateCalls).toBe(3);
    expect(stats.imagesReturned).toBe(2);
    expect(stats.serverMsTotal).toBeGreaterThan(0);
    expect(emu.stats()).toEqual(stats);

    const before = emu.clock.now();
    const { now } = (await control(emu, 'POST', 'clock/advance', { ms: 60_000 })) as { now: number };
    expect(now - before).toBeGreaterThanOrEqual(60_000);

    await control(emu, 'POST', 'reset');
    expect(emu.requests).toHaveLength(0);
    expect(emu.stats().generateCalls).toBe(0);
  });

  it('close() resolves quickly while a request hangs', async () => {
    const doomed = await startEmulator({ startAt: BEFORE_SHUTDOWNS });
    doomed.faults.enqueue({ kind: 'hang' });
    const pending = caught(sdk(doomed).models.generateContent({ model: NB2, contents: 'wait forever' }));
    while (doomed.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    await doomed.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(TypeError);
  });
});
