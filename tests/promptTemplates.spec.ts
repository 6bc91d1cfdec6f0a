/**
 * The six prompt templates as a client meets them, over stdio and HTTP: prompts/list, prompts/get with all
 * and with only the required arguments, completion of arguments, the nano-banana://prompt-templates
 * resource, and a rendered template sent to generate_image.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, generateRequests, marker, startEmulator } from './helpers/emulator.js';
import { idsOf, type StudioProcess, startStudio, textOf } from './helpers/studio.js';

const TEMPLATES: Record<string, { required: string[]; optional: string[]; tool: string }> = {
  photorealistic_shot: {
    required: ['subject'],
    optional: ['composition', 'lighting', 'camera', 'aspect_hint'],
    tool: 'generate_image',
  },
  logo_text: {
    required: ['brand', 'text'],
    optional: ['font_style', 'style_desc', 'color_scheme'],
    tool: 'generate_image',
  },
  product_shot: {
    required: ['product'],
    optional: ['background', 'lighting_setup', 'angle', 'aspect_hint'],
    tool: 'generate_image',
  },
  sticker_flat: { required: ['character'], optional: ['accessory', 'palette'], tool: 'generate_image' },
  iterative_edit_instruction: { required: ['what_to_change'], optional: ['how_it_should_blend'], tool: 'edit_image' },
  composition_and_style_transfer: {
    required: ['target_subject', 'style_reference'],
    optional: ['style_desc'],
    tool: 'edit_image',
  },
};

interface CatalogParameter {
  description: string;
  required: boolean;
  default?: string;
  suggestions: string[];
}
interface Catalog {
  total_templates: number;
  categories: string[];
  templates: Record<
    string,
    {
      title: string;
      description: string;
      category: string;
      use_cases: string[];
      parameters: Record<string, CatalogParameter>;
      example_prompt: string;
    }
  >;
}

/** A distinct, recognisable value for every argument. */
const valueFor = (name: string) => `zq-${name.replace(/_/g, '-')}-value`;

function promptText(result: { messages: Array<{ role: string; content: { type: string; text?: string } }> }) {
  expect(result.messages).toHaveLength(1);
  const message = result.messages[0];
  expect(message?.role).toBe('user');
  expect(message?.content.type).toBe('text');
  return message?.content.text ?? '';
}

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.close();
});

describe.each(['stdio', 'http'] as const)('prompt templates (%s)', (kind) => {
  let studio: StudioProcess;
  beforeAll(async () => {
    studio = await startStudio(kind, { geminiUrl: emu.url });
  });
  afterAll(async () => {
    await studio?.close({ removeData: true });
  });

  it('advertises prompts and lists exactly the six templates with their arguments', async () => {
    expect(studio.client.getServerCapabilities()?.prompts).toBeDefined();
    const { prompts } = await studio.client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(Object.keys(TEMPLATES).sort());
    for (const prompt of prompts) {
      const expected = TEMPLATES[prompt.name];
      expect(prompt.title).toBeTruthy();
      expect(prompt.description?.length).toBeGreaterThan(40);
      expect(prompt.arguments?.map((a) => a.name)).toEqual([
        ...(expected?.required ?? []),
        ...(expected?.optional ?? []),
      ]);
      for (const arg of prompt.arguments ?? []) {
        expect(arg.required, `${prompt.name}.${arg.name}`).toBe(expected?.required.includes(arg.name));
        expect(arg.description?.length, `${prompt.name}.${arg.name}`).toBeGreaterThan(5);
      }
    }
  });

  it.each(Object.entries(TEMPLATES))('renders %s with every argument', async (name, spec) => {
    const args = Object.fromEntries([...spec.required, ...spec.optional].map((a) => [a, valueFor(a)]));
    const text = promptText(await studio.client.getPrompt({ name, arguments: args }));
    for (const arg of [...spec.required, ...spec.optional]) {
      // aspect_hint becomes a framing sentence ("Format: …") rather than being pasted verbatim elsewhere.
      expect(text, arg).toContain(valueFor(arg));
    }
    expect(text).not.toMatch(/undefined|null|\$\{/);
    expect(text.length).toBeGreaterThan(250);
    expect(text.split('\n').at(-1)).toMatch(new RegExp(`^Next: call ${spec.tool} `));
  });

  it.each(Object.entries(TEMPLATES))(
    'renders %s with only the required arguments (defaults applied)',
    async (name, spec) => {
      const args = Object.fromEntries(spec.required.map((a) => [a, valueFor(a)]));
      const text = promptText(await studio.client.getPrompt({ name, arguments: args }));
      for (const arg of spec.required) expect(text).toContain(valueFor(arg));
      expect(text).not.toMatch(/undefined|null|\$\{|: \.| {2}/);
      expect(text.length).toBeGreaterThan(250);
      expect(text.split('\n').at(-1)).toMatch(new RegExp(`^Next: call ${spec.tool} `));
    },
  );

  it('maps aspect hints to a generate_image aspect_ratio and defaults to square', async () => {
    const square = promptText(
      await studio.client.getPrompt({ name: 'photorealistic_shot', arguments: { subject: 'a fox' } }),
    );
    expect(square).toContain('square image');
    expect(square.split('\n').at(-1)).toContain('aspect_ratio "1:1"');
    const wide = promptText(
      await studio.client.getPrompt({ name: 'product_shot', arguments: { product: 'a mug', aspect_hint: '16:9' } }),
    );
    expect(wide.split('\n').at(-1)).toContain('aspect_ratio "16:9"');
    const portrait = promptText(
      await studio.client.getPrompt({ name: 'product_shot', arguments: { product: 'a mug', aspect_hint: 'Portrait' } }),
    );
    expect(portrait).toMatch(/vertical portrait-format/);
  });

  it('drops a trailing full stop from spliced values but keeps logo text exactly', async () => {
    const photo = promptText(
      await studio.client.getPrompt({
        name: 'photorealistic_shot',
        arguments: { subject: 'a fox in the snow.', lighting: 'moonlight. ' },
      }),
    );
    expect(photo).toContain('of a fox in the snow. ');
    expect(photo).toContain('Lighting: moonlight, ');
    const logo = promptText(
      await studio.client.getPrompt({ name: 'logo_text', arguments: { brand: 'Acme.', text: 'Acme & Co.' } }),
    );
    expect(logo).toContain('"Acme & Co."');
    expect(logo).toContain('Design a logo for Acme. ');
  });

  it('rejects a missing or empty required argument', async () => {
    await expect(studio.client.getPrompt({ name: 'logo_text', arguments: { brand: 'Acme' } })).rejects.toThrow(
      /Invalid arguments for prompt logo_text/,
    );
    await expect(studio.client.getPrompt({ name: 'sticker_flat', arguments: {} })).rejects.toThrow(/sticker_flat/);
    await expect(studio.client.getPrompt({ name: 'photorealistic_shot', arguments: { subject: '' } })).rejects.toThrow(
      /photorealistic_shot/,
    );
    await expect(
      studio.client.getPrompt({ name: 'iterative_edit_instruction', arguments: { what_to_change: '   ' } }),
    ).rejects.toThrow(/Invalid arguments for prompt iterative_edit_instruction: "what_to_change" is required/);
    await expect(studio.client.getPrompt({ name: 'no_such_template', arguments: {} })).rejects.toThrow();
  });

  it('completes arguments from suggestions filtered by the typed prefix, case-insensitively', async () => {
    const complete = async (name: string, argument: string, value: string, context?: Record<string, string>) =>
      (
        await studio.client.complete({
          ref: { type: 'ref/prompt', name },
          argument: { name: argument, value },
          ...(context ? { context: { arguments: context } } : {}),
        })
      ).completion.values;

    const hints = await complete('photorealistic_shot', 'aspect_hint', '');
    expect(hints).toEqual(expect.arrayContaining(['Square image', 'Portrait', 'Landscape', '16:9', '4:3']));
    expect(await complete('product_shot', 'aspect_hint', 'po')).toEqual(['Portrait']);
    expect(await complete('product_shot', 'aspect_hint', '16')).toEqual(['16:9']);
    expect(await complete('photorealistic_shot', 'aspect_hint', 'zz')).toEqual([]);

    const lenses = await complete('photorealistic_shot', 'camera', '85');
    expect(lenses.length).toBeGreaterThan(0);
    expect(lenses.every((v) => v.startsWith('85'))).toBe(true);

    const fonts = await complete('logo_text', 'font_style', 'ELEG');
    expect(fonts.length).toBeGreaterThan(0);
    expect(fonts.every((v) => v.toLowerCase().startsWith('eleg'))).toBe(true);

    const palettes = await complete('sticker_flat', 'palette', '');
    expect(palettes.length).toBeGreaterThan(3);

    // Required arguments complete too, and the logo text offers the brand's own name.
    const subjects = await complete('photorealistic_shot', 'subject', 'a ');
    expect(subjects.length).toBeGreaterThan(1);
    expect(subjects.every((v) => v.startsWith('a '))).toBe(true);
    expect(await complete('logo_text', 'text', 'Bea', { brand: 'Bean & Bloom, a coffee shop' })).toContain(
      'Bean & Bloom',
    );
  });

  it('reads nano-banana://prompt-templates as JSON describing every template', async () => {
    const { resources } = await studio.client.listResources();
    const listed = resources.find((r) => r.uri === 'nano-banana://prompt-templates');
    expect(listed?.mimeType).toBe('application/json');

    const result = await studio.client.readResource({ uri: 'nano-banana://prompt-templates' });
    const content = result.contents[0] as { mimeType: string; text: string };
    expect(content.mimeType).toBe('application/json');
    const catalog = JSON.parse(content.text) as Catalog;
    expect(catalog.total_templates).toBe(6);
    expect(catalog.categories.sort()).toEqual(
      ['artistic', 'commercial', 'design', 'editing', 'illustration', 'photography'].sort(),
    );
    expect(Object.keys(catalog.templates).sort()).toEqual(Object.keys(TEMPLATES).sort());
    for (const [name, spec] of Object.entries(TEMPLATES)) {
      const entry = catalog.templates[name];
      expect(entry?.title).toBeTruthy();
      expect(catalog.categories).toContain(entry?.category);
      expect(entry?.use_cases.length).toBeGreaterThan(0);
      expect(Object.keys(entry?.parameters ?? {})).toEqual([...spec.required, ...spec.optional]);
      for (const [param, info] of Object.entries(entry?.parameters ?? {})) {
        expect(info.required, `${name}.${param}`).toBe(spec.required.includes(param));
        if (!info.required) expect(info.default, `${name}.${param}`).toBeTruthy();
        expect(info.suggestions.length, `${name}.${param}`).toBeGreaterThan(0);
      }
      expect(entry?.example_prompt.length).toBeGreaterThan(250);
      expect(entry?.example_prompt).not.toMatch(/undefined/);
    }
    expect(catalog.templates.photorealistic_shot?.parameters.aspect_hint?.default).toBe('Square image');
  });

  it('a rendered template, sent as a generate_image prompt, produces an image', async () => {
    const tag = marker('tpl');
    const text = promptText(
      await studio.client.getPrompt({
        name: 'product_shot',
        arguments: { product: `a matte black ceramic mug ${tag}`, aspect_hint: '4:3' },
      }),
    );
    const prompt = text.slice(0, text.lastIndexOf('\n\n'));
    expect(prompt).not.toContain('Next: call');
    const result = await studio.client.callTool({
      name: 'generate_image',
      arguments: { prompt, aspect_ratio: '4:3' },
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(idsOf(result)).toHaveLength(1);
    const [request] = generateRequests(emu, tag);
    expect(JSON.stringify(request?.body)).toContain('studio-lit commercial product photograph');
  });
});
