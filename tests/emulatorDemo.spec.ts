/**
 * The offline demo (`--emulator`) as a newcomer tries it, over stdio with the real MCP client: its images
 * cost nothing and say they are emulated (result, image JSON, the `cost` command reading the ledger);
 * propose_concepts with count 3 gives three different concepts whose keywords come from the idea; an edit
 * and an upscale show the same picture changed (measured: the structure of the edited picture matches the
 * original's, unlike a new picture's), and a variation (same prompt, new seed) is the same picture moved a
 * little.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/runCli.js';
import { idsOf, type StudioProcess, startStudio, textOf } from './helpers/studio.js';

type Result = { isError?: boolean; content: Array<{ type: string; text?: string }>; structuredContent?: unknown };

let studio: StudioProcess;
const call = async (name: string, args: Record<string, unknown>) => {
  const result = (await studio.client.callTool({ name, arguments: args })) as Result;
  expect(result.isError, textOf(result)).toBeFalsy();
  return result;
};
const fileOf = (result: Result) => /- file: (\S+)/.exec(textOf(result))?.[1] ?? '';

/**
 * How alike two pictures are in structure: the correlation of their 32x32 grey versions, each normalised
 * to mean 0 and variance 1 (so a darker or recoloured copy of a picture still scores near 1).
 */
async function likeness(a: Buffer, b: Buffer): Promise<number> {
  const grey = async (data: Buffer) => {
    const raw = await sharp(data).resize(32, 32, { fit: 'fill' }).greyscale().raw().toBuffer();
    const values = [...raw];
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length) || 1;
    return values.map((v) => (v - mean) / sd);
  };
  const [x, y] = await Promise.all([grey(a), grey(b)]);
  return x.reduce((s, v, i) => s + v * (y[i] ?? 0), 0) / x.length;
}

beforeAll(async () => {
  studio = await startStudio('stdio', { apiKey: null, args: ['--emulator'] });
});
afterAll(async () => {
  await studio?.close({ removeData: true });
});

describe('the offline demo', () => {
  let original: Result;

  it('images cost $0 and say they are emulated, in the result and the image JSON', async () => {
    original = await call('generate_image', { prompt: 'a red lighthouse on a rocky coast at dusk' });
    expect(textOf(original)).toMatch(
      /estimated cost: \$0\.0000 \(emulated: a synthetic image from the offline emulator, free\)/,
    );
    const [id] = idsOf(original);
    const info = await studio.client.readResource({ uri: `images://${id}/metadata` });
    const json = JSON.parse(String((info.contents[0] as { text?: string }).text));
    expect(json).toMatchObject({ cost_usd: 0, emulated: true });
  });

  it('the ledger bills them at 0 and counts them as emulated (nanobanana-studio cost)', async () => {
    const cost = await runCli(['cost', '--json'], { env: { HOME: '/tmp', STUDIO_DATA_DIR: studio.dataDir } });
    expect(cost.code, cost.stderr).toBe(0);
    const json = JSON.parse(cost.stdout) as { total: { images: number; cost_usd: number }; emulated_images: number };
    expect(json.total.images).toBeGreaterThanOrEqual(1);
    expect(json.total.cost_usd).toBe(0);
    expect(json.emulated_images).toBe(json.total.images);
    const text = await runCli(['cost'], { env: { HOME: '/tmp', STUDIO_DATA_DIR: studio.dataDir } });
    expect(text.stdout).toMatch(
      /All time: \d+ images?, \$0\.0+ \(estimated; \d+ of them emulated \(offline demo, free\)\)/,
    );
  });

  it('propose_concepts with count 3 gives three distinct concepts, keywords drawn from the idea', async () => {
    const result = await call('propose_concepts', { prompt: 'a cosy reading nook with a cat', count: 3 });
    const { concepts } = result.structuredContent as {
      concepts: Array<{ title: string; refined_prompt: string; keywords: string[] }>;
    };
    expect(concepts).toHaveLength(3);
    expect(new Set(concepts.map((c) => c.title)).size).toBe(3);
    expect(new Set(concepts.map((c) => c.refined_prompt)).size).toBe(3);
    expect(new Set(concepts.map((c) => c.keywords.join())).size).toBe(3);
    for (const c of concepts) {
      expect(c.keywords).toEqual(expect.arrayContaining(['cosy', 'reading']));
      expect(c.keywords.join(' ')).not.toMatch(/\(|keywords/);
      expect(c.refined_prompt).toContain('a cosy reading nook with a cat');
    }
  });

  it('an edit shows the same picture changed, not the instruction drawn as a new picture', async () => {
    const before = await readFile(fileOf(original));
    const [id] = idsOf(original);
    const edited = await call('edit_image', { image: id, instruction: 'make it night' });
    const after = await readFile(fileOf(edited));
    const fresh = await readFile(fileOf(await call('generate_image', { prompt: 'make it night' })));
    const kept = await likeness(before, after);
    const unrelated = await likeness(before, fresh);
    // Every emulator picture shares a diagonal gradient and a footer band, so unrelated ones correlate too:
    // the edit must be much closer to its original than a new picture is.
    expect(kept, `edit ${kept.toFixed(2)} vs new picture ${unrelated.toFixed(2)}`).toBeGreaterThan(0.9);
    expect(kept - unrelated).toBeGreaterThan(0.15);
    expect(Buffer.compare(before, after)).not.toBe(0);
    // Darker, as asked.
    const mean = async (d: Buffer) => (await sharp(d).greyscale().stats()).channels[0]?.mean ?? 0;
    expect(await mean(after)).toBeLessThan((await mean(before)) * 0.8);
  });

  it('an upscale is the same picture at the larger size', async () => {
    const [id] = idsOf(original);
    const up = await call('edit_image', {
      image: id,
      instruction: 'Upscale this image: the same image at 2K, nothing changed',
      image_size: '2K',
    });
    const bytes = await readFile(fileOf(up));
    const meta = await sharp(bytes).metadata();
    expect([meta.width, meta.height]).toEqual([2048, 2048]);
    expect(await likeness(await readFile(fileOf(original)), bytes)).toBeGreaterThan(0.9);
  });

  it('a variation (same prompt, new seed) is the same picture moved a little', async () => {
    const a = await call('generate_image', { prompt: 'a blue whale above a city', seed: 1 });
    const b = await call('generate_image', { prompt: 'a blue whale above a city', seed: 2 });
    const other = await call('generate_image', { prompt: 'three green kites over a field', seed: 1 });
    const [pa, pb, po] = await Promise.all([a, b, other].map((r) => readFile(fileOf(r))));
    const variation = await likeness(pa as Buffer, pb as Buffer);
    const unrelated = await likeness(pa as Buffer, po as Buffer);
    expect(Buffer.compare(pa as Buffer, pb as Buffer)).not.toBe(0);
    expect(variation, `variation ${variation.toFixed(2)} vs other ${unrelated.toFixed(2)}`).toBeGreaterThan(
      unrelated + 0.2,
    );
  });
});
