/**
 * Issue 14: the `tools` array of tools/list is sent with every conversation, so it has a budget: 12 KB as
 * JSON over stdio. Nothing a model needs may go with the bytes: every listed field is described (on itself,
 * or once on generate_image for the fields the image tools share), and the unlisted synonyms still work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { type StudioProcess, startStudio } from './helpers/studio.js';

const BUDGET = 12 * 1024;

describe('the tool list (stdio)', () => {
  let emu: Emulator;
  let studio: StudioProcess;
  let tools: Awaited<ReturnType<StudioProcess['client']['listTools']>>['tools'];

  beforeAll(async () => {
    emu = await startEmulator();
    studio = await startStudio('stdio', { geminiUrl: emu.url });
    tools = (await studio.client.listTools()).tools;
  });
  afterAll(async () => {
    await studio?.close({ removeData: true });
    await emu?.close();
  });

  it(`stays within ${BUDGET} bytes as JSON`, () => {
    const bytes = JSON.stringify(tools).length;
    expect(bytes, `tools/list is ${bytes} bytes`).toBeLessThanOrEqual(BUDGET);
  });

  it('describes every field a model sees, at least once', () => {
    const generate = tools.find((t) => t.name === 'generate_image');
    const shared = (generate?.inputSchema.properties ?? {}) as Record<string, { description?: string }>;
    const undescribed: string[] = [];
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(40);
      const properties = (tool.inputSchema.properties ?? {}) as Record<string, { description?: string }>;
      for (const [name, field] of Object.entries(properties)) {
        if (!field.description && !shared[name]?.description) undescribed.push(`${tool.name}.${name}`);
      }
    }
    expect(undescribed).toEqual([]);
    // The shared texts are said where a model reads them: on generate_image, pointed to by the others.
    for (const name of ['generate_image_async', 'edit_image']) {
      expect(tools.find((t) => t.name === name)?.description).toMatch(/generate_image/);
    }
    expect(JSON.stringify(tools)).not.toContain('$schema');
  });

  it('still takes the unlisted synonyms (iterations for n) and checks the shared fields', async () => {
    const listed = JSON.stringify(tools.find((t) => t.name === 'generate_image')?.inputSchema);
    expect(listed).not.toContain('iterations');
    const two = await studio.client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'a budget test lamp', iterations: 2, resolution: '1K' },
    });
    expect(two.isError).toBeFalsy();
    expect((two.content as Array<{ type: string }>).filter((c) => c.type === 'image')).toHaveLength(2);
    const wrong = await studio.client.callTool({
      name: 'generate_image_async',
      arguments: { prompt: 'a budget test lamp', aspect_ratio: '7:5' },
    });
    expect(wrong.isError).toBe(true);
    expect((wrong.content as Array<{ text?: string }>).map((c) => c.text).join(' ')).toMatch(
      /does not support aspect_ratio "7:5"\. It supports: 1:1/,
    );
  });
});
