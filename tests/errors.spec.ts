/**
 * Every fault knob of the emulator ends in a success after retry or in a clear error, and every bad
 * argument in a validation message that says what would work — over stdio and HTTP.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateRequests, marker } from './helpers/emulator.js';
import { idsOf, makeDataDir, startStudio, type TransportKind, textOf } from './helpers/studio.js';
import { type ToolResult, useEmulator, useStudio } from './helpers/useStudio.js';

const emu = useEmulator();

describe.each<TransportKind>(['stdio', 'http'])('faults over %s', (kind) => {
  // A timeout that only a hang reaches: at 1 s, a loaded machine (the emulator answers from the test
  // process) timed out ordinary answers and the retries were counted wrong.
  const studio = useStudio(kind, {
    emulator: emu,
    env: { STUDIO_GEMINI_TIMEOUT_SECONDS: '15', STUDIO_GEMINI_MAX_ATTEMPTS: '3' },
  });
  const generate = (prompt: string, extra: Record<string, unknown> = {}) =>
    studio.call('generate_image', { prompt, ...extra });

  it('generate_image (429 twice with RetryInfo: waits as told, then succeeds)', async () => {
    const m = marker('quota');
    emu.faults.enqueue({ kind: '429', retryDelay: '0.4s' }, { times: 2, match: { promptIncludes: m } });
    const started = Date.now();
    const result = await generate(`a bridge ${m}`);
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(generateRequests(emu, m)).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
  });

  it.each(['500', '503', '503-html', 'drop', 'malformed'] as const)(
    'generate_image (%s once, then success)',
    async (fault) => {
      const m = marker(`f${fault}`);
      emu.faults.enqueue({ kind: fault }, { times: 1, match: { promptIncludes: m } });
      const result = await generate(`a kite ${m}`);
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(generateRequests(emu, m)).toHaveLength(2);
    },
  );

  it('generate_image (503 on every attempt: says overloaded, try later)', async () => {
    const m = marker('down');
    emu.faults.enqueue({ kind: '503' }, { times: 3, match: { promptIncludes: m } });
    const result = await generate(`a river ${m}`);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/overloaded|UNAVAILABLE/);
    expect(textOf(result)).toMatch(/3 attempts/);
  });

  it('generate_image (429 asking for a long wait: fails at once with the quota and when to retry)', async () => {
    const m = marker('longquota');
    emu.faults.enqueue({ kind: '429', retryDelay: '600s' }, { times: 1, match: { promptIncludes: m } });
    const result = await generate(`a dam ${m}`);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/quota/i);
    expect(textOf(result)).toMatch(/600|10 min/);
    expect(generateRequests(emu, m)).toHaveLength(1);
  });

  it.each(['IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'NO_IMAGE'])(
    'generate_image (refused: %s, nothing billed)',
    async (reason) => {
      const m = marker('refuse');
      emu.faults.enqueue({ kind: 'refuse', reason }, { times: 1, match: { promptIncludes: m } });
      const result = await generate(`a statue ${m}`);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(reason);
      expect(textOf(result)).toContain('No cost was recorded');
      const listed = await studio.client.callTool({ name: 'list_images', arguments: { search: m } });
      expect(textOf(listed)).toContain('No images match');
    },
  );

  it('generate_image (blocked prompt)', async () => {
    const m = marker('block');
    emu.faults.enqueue({ kind: 'block', reason: 'PROHIBITED_CONTENT' }, { times: 1, match: { promptIncludes: m } });
    const result = await generate(`a thing ${m}`);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('PROHIBITED_CONTENT');
  });

  it('generate_image (text instead of an image)', async () => {
    const m = marker('textonly');
    emu.faults.enqueue({ kind: 'text-only' }, { times: 1, match: { promptIncludes: m } });
    const result = await generate(`a poem ${m}`);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/text instead of an image/i);
  });

  it('generate_image (invalid API key: says where to set it)', async () => {
    const m = marker('badkey');
    emu.faults.enqueue({ kind: 'bad-key' }, { times: 1, match: { promptIncludes: m } });
    const result = await generate(`a key ${m}`);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('GEMINI_API_KEY');
    expect(generateRequests(emu, m)).toHaveLength(1); // never retried
  });

  it('generate_image (n=3 with one refusal: the others arrive, the failure is named)', async () => {
    const m = marker('partial');
    emu.faults.enqueue({ kind: 'refuse', reason: 'IMAGE_SAFETY' }, { times: 1, match: { promptIncludes: m } });
    const result = await generate(`three hats ${m}`, { n: 3 });
    expect(result.isError).toBeFalsy();
    expect(idsOf(result)).toHaveLength(2);
    expect(textOf(result)).toContain('2 of 3 images were made');
  });
});

describe.each<TransportKind>(['stdio', 'http'])('a Gemini that hangs, over %s', (kind) => {
  const studio = useStudio(kind, {
    emulator: emu,
    env: { STUDIO_GEMINI_TIMEOUT_SECONDS: '1', STUDIO_GEMINI_MAX_ATTEMPTS: '3' },
  });
  const generate = (prompt: string) => studio.call('generate_image', { prompt });

  it('generate_image (hang past the timeout on every attempt: a timeout error)', async () => {
    const m = marker('hang');
    emu.faults.enqueue({ kind: 'hang' }, { times: 3, match: { promptIncludes: m } });
    const result = await generate(`a clock ${m}`);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/did not answer within 1 s/i);
    expect(generateRequests(emu, m)).toHaveLength(3);
  });
});

describe.each<TransportKind>(['stdio', 'http'])('validation over %s', (kind) => {
  const studio = useStudio(kind, { emulator: emu });
  const expectError = async (name: string, args: Record<string, unknown>, pattern: RegExp) => {
    // The server reads the model list in the background (GET /models); that is not a call for this request.
    const calls = () => emu.requests.filter((r) => !/\/models$/.test(r.path)).length;
    const before = calls();
    const result = await studio.call(name, args);
    expect(result.isError, textOf(result)).toBe(true);
    expect(textOf(result)).toMatch(pattern);
    expect(calls()).toBe(before); // rejected before any Gemini call
  };

  it.each([
    [{ model: 'dall-e' }, /Unknown model "dall-e"\. Use one of: nb2\.1 .*pro/],
    [{ model: 'pro', image_size: '512' }, /does not support image_size 512\. It supports: 1K, 2K, 4K/],
    [{ model: 'lite', image_size: '2K' }, /does not support image_size 2K\. It supports: 1K/],
    [{ image_size: '8K' }, /Unknown image_size "8K"\. Use one of: 512, 1K, 2K, 4K/],
    [{ model: 'pro', aspect_ratio: '1:4' }, /does not support aspect_ratio "1:4"\. It supports: 1:1, 2:3/],
    [{ model: 'pro', thinking_level: 'high' }, /does not take a thinking level/],
    [
      { model: 'lite', thinking_level: 'medium' },
      /does not support thinking_level "medium"\. It supports: minimal, high/,
    ],
    // Retired models are refused before any call, naming the replacement by its alias (issue 10; Google's
    // deprecations page: 2.5 Flash Image shut down 2026-10-02, 3.1 Flash Image replaced by Nano Banana 2.1).
    [{ model: 'nb1' }, /nb1 \(Nano Banana \(legacy\), gemini-2\.5-flash-image\) is retired.*model: "nb2\.1"/],
    [{ model: 'gemini-2.5-flash-image-preview' }, /gemini-2\.5-flash-image\) is retired.*Use nb2\.1/],
    [
      { model: 'nb2' },
      /nb2 \(Nano Banana 2, gemini-3\.1-flash-image\) is retired.*shutdown date 2026-10-29.*model: "nb2\.1"/,
    ],
    [{ model: 'lite', grounding: true }, /does not support Google Search grounding/],
    [{ aspect_ratio: '7:3' }, /aspect_ratio/],
    [{ n: 5 }, /\bn\b/],
    [{ prompt: '' }, /prompt/],
    [{ reference_images: ['img_00000000000000000000000000'] }, /No image with id "img_00000000000000000000000000"/],
  ])('generate_image (rejects %j)', async (args, pattern) => {
    await expectError('generate_image', { prompt: 'x', ...args }, pattern);
  });

  it('edit_image (unknown image, empty instruction)', async () => {
    await expectError('edit_image', { image: 'img_00000000000000000000000000', instruction: 'x' }, /No image with id/);
    await expectError('edit_image', { image: 'img_00000000000000000000000000', instruction: '' }, /instruction/);
  });

  it('image_info (unknown id)', async () => {
    await expectError('image_info', { id: 'img_zzzzzzzzzzzzzzzzzzzzzzzzzz' }, /No image with id/);
  });

  if (kind === 'http') {
    it('generate_image (output_path and local paths are refused over HTTP)', async () => {
      await expectError(
        'generate_image',
        { prompt: 'x', output_path: '/tmp/a.png' },
        /only available on a local \(stdio\) server/,
      );
      await expectError('generate_image', { prompt: 'x', reference_images: ['/etc/hosts'] }, /not an image id/);
    });
  }
});

describe('local paths over stdio', () => {
  let allowed: string;
  let outside: string;
  beforeAll(async () => {
    allowed = await makeDataDir();
    outside = await makeDataDir();
  });
  const studio = useStudio('stdio', () => ({ emulator: emu, env: { STUDIO_ALLOWED_ROOTS: allowed } }));
  const call = studio.call;

  it('generate_image (output_path: a folder, a .png file that really is PNG)', async () => {
    const folder = path.join(allowed, 'renders');
    await mkdir(folder);
    const inFolder = await call('generate_image', { prompt: 'a red fox in snow', output_path: folder });
    const saved = /- saved to: (\S+)/.exec(textOf(inFolder))?.[1] ?? '';
    expect(saved.startsWith(folder)).toBe(true);
    expect(saved).toMatch(/a-red-fox-in-snow-\w+\.jpg$/);
    const asPng = await call('generate_image', { prompt: 'a blue fox', output_path: path.join(allowed, 'fox.png') });
    const png = /- saved to: (\S+)/.exec(textOf(asPng))?.[1] ?? '';
    expect(png).toBe(path.join(allowed, 'fox.png'));
    expect((await readFile(png)).subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  });

  it('generate_image (reference image from an allowed path is sent inline)', async () => {
    const m = marker('pathref');
    const source = path.join(allowed, 'fox.png');
    const result = await call('generate_image', { prompt: `like this ${m}`, reference_images: [source] });
    expect(result.isError, textOf(result)).toBeFalsy();
    const parts = generateRequests(emu, m)[0]?.body.contents?.[0]?.parts ?? [];
    expect(parts[0]?.inlineData).toMatchObject({ mimeType: 'image/png' });
  });

  it('generate_image (paths outside the roots, and symlinks out of them, are refused)', async () => {
    await writeFile(path.join(outside, 'secret.png'), 'not really');
    await symlink(outside, path.join(allowed, 'escape'));
    for (const args of [
      { reference_images: [path.join(outside, 'secret.png')] },
      { reference_images: [path.join(allowed, 'escape', 'secret.png')] },
      { output_path: path.join(outside, 'out.png') },
      { output_path: path.join(allowed, 'escape', 'out.png') },
    ]) {
      const result = await call('generate_image', { prompt: 'x', ...args });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/outside the folders this server may use/);
    }
  });

  it('generate_image (output_path into the data folder is refused: a stored image cannot be overwritten)', async () => {
    const made = await call('generate_image', { prompt: 'a stored original' });
    const stored = /- file: (\S+)/.exec(textOf(made))?.[1] as string;
    expect(stored.startsWith(studio.dataDir)).toBe(true);
    const before = await readFile(stored);
    for (const target of [stored, path.join(studio.dataDir, 'images'), path.join(studio.dataDir, 'studio.db')]) {
      const result = await call('generate_image', { prompt: 'an impostor', output_path: target });
      expect(result.isError, target).toBe(true);
      expect(textOf(result)).toMatch(/inside the studio's data folder .* never written to/);
      expect(textOf(result)).toContain(allowed);
    }
    // Through a link into the data folder, too.
    await symlink(path.join(studio.dataDir, 'images'), path.join(allowed, 'into-data'));
    const linked = await call('generate_image', {
      prompt: 'an impostor',
      output_path: path.join(allowed, 'into-data'),
    });
    expect(textOf(linked)).toMatch(/inside the studio's data folder/);
    expect(await readFile(stored)).toEqual(before);
  });

  it('generate_image (output_path: an existing file is kept and the copy gets a new name, unless overwrite)', async () => {
    const target = path.join(allowed, 'keep.png');
    await writeFile(target, 'my own file');
    const first = await call('generate_image', { prompt: 'a heron', output_path: target });
    expect(first.isError, textOf(first)).toBeFalsy();
    expect(textOf(first)).toContain(`saved to: ${path.join(allowed, 'keep-2.png')}`);
    expect(textOf(first)).toContain(`kept: ${target} was already there`);
    const second = await call('generate_image', { prompt: 'a heron', output_path: target });
    expect(textOf(second)).toContain(`saved to: ${path.join(allowed, 'keep-3.png')}`);
    expect(await readFile(target, 'utf8')).toBe('my own file');
    const replaced = await call('generate_image', { prompt: 'a heron', output_path: target, overwrite: true });
    expect(textOf(replaced)).toContain(`saved to: ${target}`);
    expect(textOf(replaced)).not.toContain('kept:');
    expect((await readFile(target)).subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  });

  it('generate_image (output_path for n=2 names name-1, name-2; taken names move on; a bare new name is a file)', async () => {
    const target = path.join(allowed, 'pair.webp');
    const savedTo = (result: ToolResult) => [...textOf(result).matchAll(/- saved to: (\S+)/g)].map((m) => m[1]);
    const first = await call('generate_image', { prompt: 'two herons', n: 2, output_path: target });
    expect(savedTo(first)).toEqual([path.join(allowed, 'pair-1.webp'), path.join(allowed, 'pair-2.webp')]);
    expect((await readFile(path.join(allowed, 'pair-2.webp'))).subarray(8, 12).toString()).toBe('WEBP');
    const again = await call('generate_image', { prompt: 'two herons', n: 2, output_path: target });
    expect(savedTo(again)).toEqual([path.join(allowed, 'pair-1-2.webp'), path.join(allowed, 'pair-2-2.webp')]);
    expect(textOf(again)).toContain(`kept: ${path.join(allowed, 'pair-1.webp')} was already there`);
    // Over MCP a new name without an extension is a file given the image's (the CLI's --out makes a folder).
    const bare = await call('generate_image', { prompt: 'a heron', output_path: path.join(allowed, 'bare') });
    expect(savedTo(bare)).toEqual([path.join(allowed, 'bare.jpg')]);
  });

  it('a path with a name over 255 bytes, or over 4095 bytes in all, is an input error that says so', async () => {
    const longName = `${'n'.repeat(300)}.png`;
    const cases: Array<[string, Record<string, unknown>]> = [
      ['generate_image', { prompt: 'x', output_path: path.join(allowed, longName) }],
      ['generate_image', { prompt: 'x', output_path: path.join(allowed, `${'d'.repeat(256)}/`) }],
      ['generate_image', { prompt: 'x', reference_images: [path.join(allowed, longName)] }],
      ['upload_file', { path: path.join(allowed, longName) }],
    ];
    for (const [tool, args] of cases) {
      const result = await call(tool, args);
      expect(result.isError, JSON.stringify(args).slice(0, 80)).toBe(true);
      expect(textOf(result)).toMatch(/is 30\d bytes long|is 256 bytes long/);
      expect(textOf(result)).toContain('at most 255 bytes per name');
      expect(textOf(result)).not.toMatch(/Internal error|ENAMETOOLONG/);
    }
    const deep = path.join(allowed, ...Array.from({ length: 30 }, () => 'f'.repeat(150)), 'x.png');
    const tooDeep = await call('generate_image', { prompt: 'x', output_path: deep });
    expect(textOf(tooDeep)).toMatch(/The path is \d+ bytes long; file systems take at most 4095/);
    // A name just under the limit works (the temp file no longer adds to it).
    const nearLimit = path.join(allowed, `${'k'.repeat(251)}.png`);
    const near = await call('generate_image', { prompt: 'x', output_path: nearLimit });
    expect(near.isError, textOf(near)).toBeFalsy();
    expect(textOf(near)).toContain(`saved to: ${nearLimit}`);
    // Again: the new name (-2) would be too long. The copy fails after the image was made and billed, so
    // the image is kept and returned, and the result says why there is no copy.
    const again = await call('generate_image', { prompt: 'x', output_path: nearLimit });
    expect(again.isError, textOf(again)).toBeFalsy();
    expect(idsOf(again)).toHaveLength(1);
    expect(textOf(again)).toMatch(/- not saved to .*at most 255 bytes per name.*\(the image is stored in the studio\)/);
  });

  it('generate_image (a relative path without client roots asks for an absolute one)', async () => {
    const result = await call('generate_image', { prompt: 'x', reference_images: ['fox.png'] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/relative path .* Give an absolute path/);
  });
});

describe('client MCP roots over stdio', () => {
  it('generate_image (a relative path resolves inside the client root, which becomes an allowed folder)', async () => {
    const root = await makeDataDir();
    const studio = await startStudio('stdio', {
      geminiUrl: emu.url,
      clientCapabilities: { capabilities: { roots: { listChanged: false } } },
    });
    studio.client.setRequestHandler('roots/list', async () => ({
      roots: [{ uri: `file://${root}`, name: 'project' }],
    }));
    try {
      const result = await studio.client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'a logo', output_path: 'art/logo.png' },
      });
      expect(textOf(result)).toContain(`saved to: ${path.join(root, 'art', 'logo.png')}`);
      const escaped = await studio.client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'x', output_path: '../elsewhere.png' },
      });
      expect(escaped.isError).toBe(true);
    } finally {
      await studio.close({ removeData: true });
    }
  });

  it('generate_image (roots are asked once per connection, and again after roots/list_changed)', async () => {
    const first = await makeDataDir();
    const second = await makeDataDir();
    const studio = await startStudio('stdio', {
      geminiUrl: emu.url,
      clientCapabilities: { capabilities: { roots: { listChanged: true } } },
    });
    let current = first;
    let asked = 0;
    studio.client.setRequestHandler('roots/list', async () => {
      asked += 1;
      return { roots: [{ uri: `file://${current}`, name: 'project' }] };
    });
    const save = (name: string) =>
      studio.client.callTool({ name: 'generate_image', arguments: { prompt: name, output_path: `${name}.png` } });
    try {
      expect(textOf(await save('one'))).toContain(`saved to: ${path.join(first, 'one.png')}`);
      expect(textOf(await save('two'))).toContain(`saved to: ${path.join(first, 'two.png')}`);
      expect(asked).toBe(1);
      current = second;
      await studio.client.sendRootsListChanged();
      await new Promise((r) => setTimeout(r, 100));
      expect(textOf(await save('three'))).toContain(`saved to: ${path.join(second, 'three.png')}`);
      expect(asked).toBe(2);
    } finally {
      await studio.close({ removeData: true });
    }
  });
});
