/**
 * generate_image, edit_image, list_images, image_info and the image resources, through the real MCP
 * client against the built CLI, over stdio and over HTTP, with Gemini played by the emulator.
 */
import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { generateRequests, marker } from './helpers/emulator.js';
import { idsOf, imagesOf, startStudio, type TransportKind, textOf } from './helpers/studio.js';
import { useEmulator, useStudio } from './helpers/useStudio.js';

const MB = 1_000_000;
const emu = useEmulator();

describe.each<TransportKind>(['stdio', 'http'])('image tools over %s', (kind) => {
  const studio = useStudio(kind, { emulator: emu });
  const call = studio.call;

  it('generate_image (defaults: Nano Banana 2.1, 1K, 1:1, preview, link, no structuredContent)', async () => {
    const m = marker('default');
    const result = await call('generate_image', { prompt: `a red bicycle ${m}` });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toBeUndefined();
    const text = textOf(result);
    expect(text).toContain('Nano Banana 2.1 (nb2.1, gemini-nano-banana-2.1)');
    expect(text).not.toContain('Note:'); // a GA model: nothing to say about its lifecycle
    expect(text).toContain('1K, ratio 1:1, 1024x1024 px, image/jpeg');
    expect(text).toContain('estimated cost: $0.0336');
    const [id] = idsOf(result);
    expect(id).toMatch(/^img_[a-z0-9]{26}$/);
    if (kind === 'stdio') {
      const file = /- file: (\S+)/.exec(text)?.[1] ?? '';
      expect(file.startsWith(studio.dataDir)).toBe(true);
      expect(file.endsWith('.jpg')).toBe(true); // JPEG bytes labelled image/png are stored as .jpg
      expect((await readFile(file)).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    } else {
      const url = /- url: (\S+)/.exec(text)?.[1] ?? '';
      expect(url).toBe(`${studio.url}/i/${id}.jpg`);
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/jpeg');
      expect(response.headers.get('cache-control')).toContain('immutable');
    }
    const [preview] = imagesOf(result);
    expect(preview?.mimeType).toBe('image/jpeg');
    const links = (result.content as Array<{ type: string; uri?: string }>).filter((b) => b.type === 'resource_link');
    expect(links.map((l) => l.uri)).toEqual([`images://${id}`]);
    expect(JSON.stringify(result).length).toBeLessThan(MB);
    const [request] = generateRequests(emu, m);
    expect(request?.path).toBe('/v1beta/models/gemini-nano-banana-2.1:generateContent');
    expect(request?.body.generationConfig?.imageConfig).toEqual({ aspectRatio: '1:1', imageSize: '1K' });
    expect(request?.headers['x-goog-api-key']).toBe('test-key');
  });

  it('generate_image (every parameter reaches the wire)', async () => {
    const ref = idsOf(await call('generate_image', { prompt: `reference ${marker('ref')}` }))[0];
    const m = marker('params');
    const result = await call('generate_image', {
      prompt: `a lighthouse ${m}`,
      aspect_ratio: '16:9',
      image_size: '2k',
      negative_prompt: 'no people',
      system_instruction: 'Use a watercolour style.',
      thinking_level: 'HIGH',
      grounding: true,
      seed: 42,
      reference_images: [ref],
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(textOf(result)).toContain('2K, ratio 16:9, 2752x1536 px');
    const [request] = generateRequests(emu, m);
    const body = request?.body;
    expect(body?.generationConfig?.imageConfig).toEqual({ aspectRatio: '16:9', imageSize: '2K' });
    expect(body?.generationConfig?.thinkingConfig).toMatchObject({ thinkingLevel: 'HIGH' });
    expect(body?.generationConfig?.seed).toBe(42);
    expect(body?.tools).toEqual([{ googleSearch: {} }]);
    expect(body?.systemInstruction?.parts?.[0]?.text).toBe('Use a watercolour style.');
    const parts = body?.contents?.at(-1)?.parts ?? [];
    expect(parts[0]).toHaveProperty('inlineData'); // reference images first …
    const prompt = String(parts.at(-1)?.text);
    expect(prompt).toContain(`a lighthouse ${m}`); // … then the prompt,
    expect(prompt).toMatch(/Avoid:.*no people/s); // with the negative prompt as its own paragraph
    expect(textOf(result)).toMatch(/- source: .+</); // grounding sources are shown
  });

  it('generate_image (model pro, 4K: exact pixels, result under 1 MB)', async () => {
    const m = marker('pro4k');
    const result = await call('generate_image', {
      prompt: `a city at dusk ${m}`,
      model: 'pro',
      image_size: '4K',
      aspect_ratio: '16:9',
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(textOf(result)).toContain('Nano Banana Pro (pro, gemini-3-pro-image)');
    expect(textOf(result)).toContain('4K, ratio 16:9, 5504x3072 px');
    expect(textOf(result)).toContain('estimated cost: $0.2400');
    const size = JSON.stringify(result).length;
    expect(size).toBeLessThan(MB);
    const [preview] = imagesOf(result);
    expect(preview).toBeDefined();
    expect(Buffer.from(preview?.data ?? '', 'base64').length * (4 / 3)).toBeLessThanOrEqual(700_000);
    expect(generateRequests(emu, m)[0]?.path).toContain('/models/gemini-3-pro-image:generateContent');
  });

  it('generate_image (n=4 in parallel, all stored, whole result under 1 MB)', async () => {
    const m = marker('four');
    const result = await call('generate_image', { prompt: `four kittens ${m}`, n: 4, image_size: '4K' });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(idsOf(result)).toHaveLength(4);
    expect(new Set(idsOf(result)).size).toBe(4);
    expect(imagesOf(result)).toHaveLength(4);
    expect(JSON.stringify(result).length).toBeLessThan(MB);
    expect(generateRequests(emu, m)).toHaveLength(4);
  });

  it('generate_image (full image inline on request when it fits)', async () => {
    const result = await call('generate_image', {
      prompt: `a small icon ${marker('full')}`,
      model: 'lite',
      return_full_image: true,
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const [image] = imagesOf(result);
    const meta = await sharp(Buffer.from(image?.data ?? '', 'base64')).metadata();
    expect([meta.width, meta.height]).toEqual([1024, 1024]);
  });

  it('edit_image (continues the conversation with signatures, records lineage)', async () => {
    const m = marker('edit');
    const first = await call('generate_image', { prompt: `a quiet street ${m}`, aspect_ratio: '3:2' });
    const parentId = idsOf(first)[0];
    const edited = await call('edit_image', { image: parentId, instruction: `now make it night ${m}` });
    expect(edited.isError, textOf(edited)).toBeFalsy();
    const childId = idsOf(edited)[0];
    expect(textOf(edited)).toContain(`edited from: ${parentId}`);
    expect(textOf(edited)).toContain('ratio 3:2, 1264x848 px'); // keeps the original ratio
    const editRequest = generateRequests(emu, `now make it night ${m}`)[0];
    const contents = editRequest?.body.contents ?? [];
    expect(contents.map((c) => c.role)).toEqual(['user', 'model', 'user']);
    const modelImage = contents[1]?.parts?.find((p) => p.inlineData && !p.thought);
    expect(modelImage?.thoughtSignature).toBeTruthy();

    const again = await call('edit_image', { image: childId, instruction: `add falling snow ${m}` });
    expect(again.isError, textOf(again)).toBeFalsy();
    expect(generateRequests(emu, `add falling snow ${m}`)[0]?.body.contents?.map((c) => c.role)).toEqual([
      'user',
      'model',
      'user',
      'model',
      'user',
    ]);

    const info = await call('image_info', { id: childId });
    expect(textOf(info)).toContain(`edited from: ${parentId}`);
    expect(textOf(info)).toContain(`Edits made from it: ${idsOf(again)[0]}`);
    const metadata = await studio.client.readResource({ uri: `images://${childId}/metadata` });
    const json = JSON.parse(String((metadata.contents[0] as { text: string }).text));
    expect(json).toMatchObject({
      id: childId,
      kind: 'edit',
      parent_id: parentId,
      model: 'nb2.1',
      model_id: 'gemini-nano-banana-2.1',
      model_name: 'Nano Banana 2.1',
      image_size: '1K',
      aspect_ratio: '3:2',
      width: 1264,
      height: 848,
      mime_type: 'image/jpeg',
    });
    expect(json.bytes).toBeGreaterThan(1000);
    expect(json.cost_usd).toBe(0.0336);
    expect(json.tokens.total).toBeGreaterThan(0);
    expect(Date.parse(json.created_at)).toBeGreaterThan(0);
    // The result's machine-readable part is the same JSON (the link is signed per answer; paths on stdio only).
    const data = (edited._meta?.['nanobanana-studio/result'] ?? {}) as { images?: unknown[]; running_pipelines?: [] };
    expect(data.running_pipelines).toEqual([]);
    expect(data.images).toHaveLength(1);
    const { url, path: stored, ...summary } = (data.images?.[0] ?? {}) as Record<string, unknown>;
    const { url: resourceUrl, ...resource } = json;
    expect(summary).toEqual(resource);
    expect(typeof url).toBe(typeof resourceUrl);
    expect(stored === undefined).toBe(kind === 'http');
  });

  it('edit_image (another model starts a new conversation with the image as reference)', async () => {
    const m = marker('switch');
    const parentId = idsOf(await call('generate_image', { prompt: `a teapot ${m}` }))[0];
    const edited = await call('edit_image', { image: parentId, instruction: `in bronze ${m}`, model: 'pro' });
    expect(edited.isError, textOf(edited)).toBeFalsy();
    const contents = generateRequests(emu, `in bronze ${m}`)[0]?.body.contents ?? [];
    expect(contents).toHaveLength(1);
    expect(contents[0]?.parts?.[0]).toHaveProperty('inlineData');
  });

  it('list_images and images:// resources', async () => {
    const m = marker('listed');
    const id = idsOf(await call('generate_image', { prompt: `an owl ${m}` }))[0] as string;
    const listed = await call('list_images', { search: m });
    expect(idsOf(listed)).toEqual([id]);
    const all = await call('list_images', { limit: 2 });
    expect(textOf(all)).toContain('call list_images with cursor');
    const resource = await studio.client.readResource({ uri: `images://${id}` });
    const content = resource.contents[0] as { blob: string; mimeType: string };
    expect(content.mimeType).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(content.blob, 'base64')).metadata();
    expect([meta.width, meta.height]).toEqual([1024, 1024]);
    const templates = await studio.client.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      'gemini://files/{name}',
      'images://{id}',
      'images://{id}/metadata',
    ]);
    const resources = await studio.client.listResources();
    expect(resources.resources.some((r) => r.uri === `images://${id}`)).toBe(true);
    const completion = await studio.client.complete({
      ref: { type: 'ref/resource', uri: 'images://{id}' },
      argument: { name: 'id', value: id.slice(0, 8) },
    });
    expect(completion.completion.values).toContain(id);
  });

  it('generate_image (progress notifications: each stage of each image, in order)', async () => {
    const events: Array<{ progress: number; total?: number; message?: string }> = [];
    const result = await studio.client.callTool(
      { name: 'generate_image', arguments: { prompt: `progress ${marker('progress')}`, n: 2 } },
      { onprogress: (p) => events.push(p) },
    );
    expect(result.isError).toBeFalsy();
    expect(events.every((e, i) => i === 0 || e.progress > (events[i - 1]?.progress ?? 0))).toBe(true);
    expect(events.at(-1)).toMatchObject({ progress: 200, total: 200 });
    for (const image of ['Image 1/2', 'Image 2/2']) {
      const stages = events
        .filter((e) => e.message?.startsWith(image))
        .map((e) => /: (\S+)/.exec(e.message ?? '')?.[1]);
      expect(stages).toEqual(['generate', 'store', 'completed']);
    }
  });
});

describe('restart with the same data folder', () => {
  it.each<TransportKind>(['stdio', 'http'])('keeps images and their files (%s)', async (kind) => {
    const first = await startStudio(kind, { geminiUrl: emu.url });
    const m = marker('restart');
    const id = idsOf(await first.client.callTool({ name: 'generate_image', arguments: { prompt: `a fox ${m}` } }))[0];
    await first.close();
    const second = await startStudio(kind, { geminiUrl: emu.url, dataDir: first.dataDir });
    try {
      const listed = await second.client.callTool({ name: 'list_images', arguments: { search: m } });
      expect(idsOf(listed)).toEqual([id]);
      const edited = await second.client.callTool({
        name: 'edit_image',
        arguments: { image: id, instruction: 'add a moon' },
      });
      expect(edited.isError, textOf(edited)).toBeFalsy();
      expect(generateRequests(emu, 'add a moon').at(-1)?.body.contents).toHaveLength(3);
    } finally {
      await second.close({ removeData: true });
    }
    expect(await stat(first.dataDir).catch(() => null)).toBeNull();
  });
});

describe('what results inline, as configured (stdio)', () => {
  describe('STUDIO_IMAGE_RESPONSES=none', () => {
    const studio = useStudio('stdio', { emulator: emu, env: { STUDIO_IMAGE_RESPONSES: 'none' } });

    it('answers with the path and no image; the gallery thumbnail is still made, from the stored file', async () => {
      const result = await studio.call('generate_image', {
        prompt: `a lighthouse ${marker('none')}`,
        image_size: '4K',
      });
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(imagesOf(result)).toEqual([]);
      const file = /- file: (\S+)/.exec(textOf(result))?.[1] ?? '';
      expect((await stat(file)).size).toBeGreaterThan(0);
      const thumb = `${studio.dataDir}/thumbs/${idsOf(result)[0]}.webp`;
      await expect
        .poll(
          () =>
            stat(thumb).then(
              () => true,
              () => false,
            ),
          { timeout: 15_000 },
        )
        .toBe(true);
      const meta = await sharp(await readFile(thumb)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['webp', 320, 320]);
    });

    it('return_full_image still gets a picture: a preview made on demand when the full one does not fit', async () => {
      const result = await studio.call('generate_image', {
        prompt: `a harbour ${marker('none-full')}`,
        image_size: '4K',
        return_full_image: true,
      });
      expect(result.isError, textOf(result)).toBeFalsy();
      const [image] = imagesOf(result);
      const meta = await sharp(Buffer.from(image?.data ?? '', 'base64')).metadata();
      expect([meta.format, meta.width]).toEqual(['jpeg', 1024]);
      expect(textOf(result)).toContain('too large to inline; a preview is shown');
    });
  });

  describe('STUDIO_PREVIEW_EDGE=512', () => {
    const studio = useStudio('stdio', { emulator: emu, env: { STUDIO_PREVIEW_EDGE: '512' } });

    it('previews a 1K image at 512 px (the full image stays on disk)', async () => {
      const result = await studio.call('generate_image', { prompt: `a kite ${marker('edge')}` });
      expect(result.isError, textOf(result)).toBeFalsy();
      const [image] = imagesOf(result);
      const meta = await sharp(Buffer.from(image?.data ?? '', 'base64')).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 512, 512]);
      const file = /- file: (\S+)/.exec(textOf(result))?.[1] ?? '';
      expect((await sharp(file).metadata()).width).toBe(1024);
    });
  });
});
