/**
 * Model lifecycle (issue 10): Google's side in the emulator (ids shut down by date on its movable clock, through
 * the unmodified SDK) and the product's side (default Nano Banana 2.1, retired models refused naming their
 * replacement, deprecated ones noted once, a retired default falling back, the key's model list and a 404
 * overruling the registry's dates), through a real MCP client talking to the built server.
 *
 * Sources: Google's deprecations page (gemini-2.5-flash-image shut down 2026-10-02; gemini-3.1-flash-image
 * deprecated 2026-10-06, replaced by gemini-nano-banana-2.1); model-gateway notes for the 2026-10-29 shutdown of
 * 3.1 Flash Image (gemini-api.md, item 5); the 404 wording for an unknown or shut-down id is the one Google sends
 * for any model it does not serve (gemini-api.md §7; the `-preview` ids died this way on 2026-06-25).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, generateRequests, marker, startEmulator } from './helpers/emulator.js';
import { apiError, sdk } from './helpers/emulatorSdk.js';
import { runCli } from './helpers/runCli.js';
import { idsOf, textOf } from './helpers/studio.js';
import { useEmulator, useStudio } from './helpers/useStudio.js';

type Result = { content: unknown[]; isError?: boolean };
const NB1 = 'gemini-2.5-flash-image';
const NB2 = 'gemini-3.1-flash-image';
const NB21 = 'gemini-nano-banana-2.1';
const DAY = 24 * 3600 * 1000;
const notFound = (id: string, method: string) =>
  `models/${id} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`;

describe('emulator: models are shut down on their date, by its clock', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ startAt: '2026-10-20T12:00:00Z' });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('on 2026-10-20: nb1 answers 404 and is not listed; nb2 (deprecated) still works; after 2026-10-29 it is gone too', async () => {
    const ai = sdk(emu);
    const listed = async () => {
      const ids: string[] = [];
      for await (const model of await ai.models.list()) ids.push(String(model.name).replace(/^models\//, ''));
      return ids;
    };
    const before = await listed();
    expect(before).toContain(NB2);
    expect(before).toContain(NB21);
    expect(before).not.toContain(NB1);

    const gone = await apiError(ai.models.generateContent({ model: NB1, contents: 'a pear' }));
    expect(gone.status).toBe(404);
    expect(gone.error).toMatchObject({ code: 404, status: 'NOT_FOUND', message: notFound(NB1, 'generateContent') });
    expect((await apiError(ai.models.get({ model: NB1 }))).status).toBe(404);

    const served = await ai.models.generateContent({ model: NB2, contents: 'a pear' });
    expect(served.candidates?.[0]?.finishReason).toBe('STOP');

    emu.clock.advance(9 * DAY); // 2026-10-29 12:00
    const after = await apiError(ai.models.generateContent({ model: NB2, contents: 'a pear' }));
    expect(after.error).toMatchObject({ code: 404, status: 'NOT_FOUND', message: notFound(NB2, 'generateContent') });
    const stream = await apiError(ai.models.generateContentStream({ model: NB2, contents: 'a pear' }));
    expect(stream.status).toBe(404);
    expect(await listed()).not.toContain(NB2);
    expect((await ai.models.generateContent({ model: NB21, contents: 'a pear' })).candidates).toHaveLength(1);
  });
});

describe('product: the default, retired and deprecated models', () => {
  // Before nb2's shutdown: the emulator still serves and lists it, so the product learns from the key's
  // model list that nb2 is deprecated, not retired, although its recorded shutdown date has passed.
  const emu = useEmulator({ startAt: '2026-10-20T12:00:00Z' });
  const studio = useStudio('stdio', { emulator: emu });
  const generate = (args: Record<string, unknown>) =>
    studio.client.callTool({ name: 'generate_image', arguments: args }) as Promise<Result>;
  /** Waits until the server has read the key's model list (it does so in the background after start). */
  const modelListRead = async () => {
    for (let i = 0; i < 100; i += 1) {
      if (emu.requests.some((r) => r.method === 'GET' && r.path === '/v1beta/models')) {
        await new Promise((r) => setTimeout(r, 200));
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the server never read the model list');
  };

  it('a generation that names no model uses Nano Banana 2.1, with no note', async () => {
    const m = marker('default');
    const result = await generate({ prompt: `a lemon ${m}` });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(textOf(result)).toContain(`Nano Banana 2.1 (nb2.1, ${NB21})`);
    expect(textOf(result)).not.toContain('Note:');
    expect(generateRequests(emu, m).map((r) => r.path)).toEqual([`/v1beta/models/${NB21}:generateContent`]);
  });

  it('nb1 is refused before any call, naming its replacement by alias', async () => {
    const m = marker('nb1');
    const result = await generate({ prompt: `a plum ${m}`, model: 'nb1' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /nb1 \(Nano Banana \(legacy\), gemini-2\.5-flash-image\) is retired: Google no longer serves it .*Use nb2\.1 \(Nano Banana 2\.1, gemini-nano-banana-2\.1\) instead: model: "nb2\.1"/,
    );
    expect(generateRequests(emu, m)).toHaveLength(0);
  });

  it('nb2 still listed: it works, and the result says once that it is deprecated', async () => {
    await modelListRead();
    const m = marker('nb2');
    const result = await generate({ prompt: `a fig ${m}`, model: 'nb2', n: 2 });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(idsOf(result)).toHaveLength(2);
    const text = textOf(result);
    const note = 'Note: nb2 (Nano Banana 2, gemini-3.1-flash-image) is deprecated since 2026-10-06';
    expect(text.split(note)).toHaveLength(2); // exactly once for two images
    expect(text).toContain('Switch to nb2.1.');
    expect(generateRequests(emu, m)).toHaveLength(2);
  });

  it('once the emulator passes nb2’s shutdown: the 404 names the replacement, and later calls stop before Gemini', async () => {
    await modelListRead();
    emu.clock.advance(10 * DAY); // 2026-10-30
    const m = marker('nb2-gone');
    const first = await generate({ prompt: `a date ${m}`, model: 'nb2' });
    expect(first.isError).toBe(true);
    expect(textOf(first)).toMatch(
      /Gemini no longer serves nb2 \(Nano Banana 2, gemini-3\.1-flash-image\): it answered 404\. Use nb2\.1 .* instead/,
    );
    expect(generateRequests(emu, m)).toHaveLength(1);
    const m2 = marker('nb2-refused');
    const second = await generate({ prompt: `a date ${m2}`, model: 'nb2' });
    expect(second.isError).toBe(true);
    expect(textOf(second)).toMatch(/nb2 \(Nano Banana 2, gemini-3\.1-flash-image\) is retired.*model: "nb2\.1"/);
    expect(generateRequests(emu, m2)).toHaveLength(0);
  });
});

describe('product: a configured default that is retired falls back with a note', () => {
  const emu = useEmulator();
  const studio = useStudio('stdio', { emulator: emu, env: { STUDIO_DEFAULT_MODEL: 'nb1' } });

  it('STUDIO_DEFAULT_MODEL=nb1: calls naming no model use nb2.1 and say why; naming nb1 is still refused', async () => {
    const m = marker('fallback');
    const result = (await studio.client.callTool({
      name: 'generate_image',
      arguments: { prompt: `a quince ${m}` },
    })) as Result;
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(textOf(result)).toMatch(
      /Note: The default model nb1 \(Nano Banana \(legacy\), gemini-2\.5-flash-image\) is retired \(.*\); used nb2\.1 \(Nano Banana 2\.1, gemini-nano-banana-2\.1\) instead/,
    );
    expect(generateRequests(emu, m).map((r) => r.path)).toEqual([`/v1beta/models/${NB21}:generateContent`]);
    const named = (await studio.client.callTool({
      name: 'generate_image',
      arguments: { prompt: `a quince ${m}`, model: 'nb1' },
    })) as Result;
    expect(named.isError).toBe(true);
    expect(studio.stderr()).toMatch(
      /The default model nb1 \(gemini-2\.5-flash-image\) is retired; calls that name no model use nb2\.1 instead/,
    );
  });
});

describe('product: lifecycle data overridden from the environment', () => {
  const emu = useEmulator();
  // Someone "un-retires" nb1 in the configuration; Google (the emulator, today) disagrees with a 404.
  const studio = useStudio('stdio', {
    emulator: emu,
    env: { STUDIO_MODEL_NB1_STATUS: 'deprecated', STUDIO_MODEL_NB1_SHUTDOWN: 'none' },
  });

  it('the key’s model list has the last word: nb1 is refused before any call, saying why', async () => {
    for (let i = 0; i < 100 && !emu.requests.some((r) => r.path === '/v1beta/models'); i += 1) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200));
    const m = marker('override');
    const result = (await studio.client.callTool({
      name: 'generate_image',
      arguments: { prompt: `a kiwi ${m}`, model: 'nb1' },
    })) as Result;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /nb1 .* is retired: Google no longer serves it \(your key’s model list no longer shows it\)\. Use nb2\.1/,
    );
    expect(generateRequests(emu, m)).toHaveLength(0);
  });
});

describe('product: a full model id the registry does not know is passed through', () => {
  // "Google released a new model" after our registry was written.
  const emu = useEmulator({ extraModels: [{ id: 'gemini-3.2-flash-image', like: NB21 }] });
  const studio = useStudio('stdio', { emulator: emu });
  const generate = (args: Record<string, unknown>) =>
    studio.client.callTool({ name: 'generate_image', arguments: args }) as Promise<Result>;

  it('works, is sent as given, and its cost is "unknown", never a guessed figure', async () => {
    const m = marker('passthrough');
    const result = await generate({ prompt: `a comet ${m}`, model: 'gemini-3.2-flash-image', image_size: '2K' });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(generateRequests(emu, m).map((r) => r.path)).toEqual([
      '/v1beta/models/gemini-3.2-flash-image:generateContent',
    ]);
    const text = textOf(result);
    expect(text).toContain('- model: gemini-3.2-flash-image (not in this server’s registry)');
    expect(text).toMatch(/- estimated cost: unknown \(gemini-3\.2-flash-image is not in this server’s price list/);
    expect(text).not.toMatch(/estimated cost: \$/);
  });

  it('an id Google does not know either: Google’s 404, told as such; a name that is no Gemini id is ours to refuse', async () => {
    const m = marker('nosuch');
    const result = await generate({ prompt: `a comet ${m}`, model: 'gemini-9-ultra-image' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Gemini does not know model gemini-9-ultra-image/);
    expect(generateRequests(emu, m)).toHaveLength(1);
    const other = await generate({ prompt: `a comet ${m}`, model: 'dall-e-3' });
    expect(textOf(other)).toMatch(/Unknown model "dall-e-3"/);
    expect(generateRequests(emu, m)).toHaveLength(1);
  });
});

describe('doctor shows each model’s status', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('GA, deprecated and retired with dates and replacements; a retired default is a warning', async () => {
    const env = { HOME: process.env.HOME ?? '/tmp', GEMINI_API_KEY: 'k', GEMINI_BASE_URL: emu.url };
    const ok = await runCli(['doctor', '--json', '--data-dir', `/tmp/nbs-doctor-${process.pid}`], { env });
    const models = (
      JSON.parse(ok.stdout) as { checks: Array<{ id: string; status: string; detail: string }> }
    ).checks.find((c) => c.id === 'models');
    expect(models?.status).toBe('ok');
    expect(models?.detail).toContain('nb2.1 (gemini-nano-banana-2.1): GA, released 2026-10-06');
    expect(models?.detail).toMatch(
      /nb2 \(gemini-3\.1-flash-image\): retired, released 2026-05-28, deprecated 2026-10-06, shutdown 2026-10-29, replaced by nb2\.1/,
    );
    expect(models?.detail).toMatch(
      /nb1 \(gemini-2\.5-flash-image\): retired, .*shutdown 2026-10-02, replaced by nb2\.1/,
    );

    const stale = await runCli(['doctor', '--data-dir', `/tmp/nbs-doctor-${process.pid}`], {
      env: { ...env, STUDIO_DEFAULT_MODEL: 'nb2' },
    });
    expect(stale.stdout).toMatch(/! Models +.*The default model nb2 is retired; calls that name no model use nb2\.1/);
  });
});
