/**
 * Reference images in the types Google accepts (issue 10). Google takes PNG, JPEG, WebP, HEIC and HEIF only, with
 * a label that matches the bytes:
 * - other types: `400 Unsupported MIME type: image/gif` (Mai-with-u/MaiBot#1435, GIF on Gemini 2.5 Flash;
 *   ogkalu2/comic-translate PR #399 shows the envelope for `image/jpg`; supported formats on Google's
 *   image-understanding page, cited in microsoft/vscode#286628);
 * - JPEG bytes labelled image/png: `400 Unhandled generated data mime type: image/jpeg` (open-webui/open-webui
 *   PR #25127, on 3.1 Flash Image; gemini-api.md item 6).
 * First the emulator through the unmodified SDK, then the product through a real MCP client: a GIF (first frame),
 * an AVIF, a BMP, a TIFF and an SVG given by upload or by path reach Gemini as PNG, and the result says so.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, generateRequests, marker, startEmulator } from './helpers/emulator.js';
import { apiError, sdk } from './helpers/emulatorSdk.js';
import { idsOf, makeDataDir, type StudioProcess, startStudio, textOf } from './helpers/studio.js';

type Result = { content: unknown[]; isError?: boolean };
const NB21 = 'gemini-nano-banana-2.1';

const solid = (color: string, width = 8, height = 8) =>
  sharp({ create: { width, height, channels: 3, background: color } });

/** Two frames, red then blue: only the first may reach Gemini. */
async function animatedGif(): Promise<Buffer> {
  const red = await solid('#ff0000').png().toBuffer();
  const blue = await solid('#0000ff').png().toBuffer();
  return sharp([red, blue], { join: { animated: true } })
    .gif()
    .toBuffer();
}

/** A 24-bit bottom-up BMP written by hand (sharp cannot write BMP): top half green, bottom half red. */
function bmp(width = 4, height = 4): Buffer {
  const stride = Math.ceil((width * 3) / 4) * 4;
  const pixels = Buffer.alloc(stride * height);
  for (let row = 0; row < height; row += 1) {
    const y = height - 1 - row; // bottom-up: the first stored row is the bottom one
    for (let x = 0; x < width; x += 1) {
      const [b, g, r] = y < height / 2 ? [0, 255, 0] : [0, 0, 255];
      pixels.set([b, g, r], row * stride + x * 3);
    }
  }
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(54 + pixels.length, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(width, 18);
  header.writeInt32LE(height, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(pixels.length, 34);
  return Buffer.concat([header, pixels]);
}

const SVG = Buffer.from(
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#00ff00"/></svg>',
);

async function pixel(png: Buffer, x = 0, y = 0): Promise<number[]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * 3;
  return [...data.subarray(at, at + 3)];
}

describe('emulator: input image types and labels, as Google checks them', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu?.close();
  });
  const withImage = (data: Buffer, mimeType: string) =>
    sdk(emu).models.generateContent({
      model: NB21,
      contents: [{ role: 'user', parts: [{ inlineData: { data: data.toString('base64'), mimeType } }, { text: 'x' }] }],
    });

  it('GIF, AVIF, BMP, TIFF and SVG are 400 Unsupported MIME type', async () => {
    const avif = await solid('#f00').avif().toBuffer();
    const tiff = await solid('#f00').tiff().toBuffer();
    const cases: Array<[Buffer, string]> = [
      [await animatedGif(), 'image/gif'],
      [avif, 'image/avif'],
      [bmp(), 'image/bmp'],
      [tiff, 'image/tiff'],
      [SVG, 'image/svg+xml'],
    ];
    for (const [data, mimeType] of cases) {
      const { status, error } = await apiError(withImage(data, mimeType));
      expect(status, mimeType).toBe(400);
      expect(error).toMatchObject({
        code: 400,
        status: 'INVALID_ARGUMENT',
        message: `Unsupported MIME type: ${mimeType}`,
      });
    }
  });

  it('a label that does not match the bytes is a 400; PNG, JPEG and WebP with their own labels pass', async () => {
    const jpeg = await solid('#f00').jpeg().toBuffer();
    const wrong = await apiError(withImage(jpeg, 'image/png'));
    expect(wrong.error.message).toBe('Unhandled generated data mime type: image/jpeg');
    const gifAsPng = await apiError(withImage(await animatedGif(), 'image/png'));
    expect(gifAsPng.error.message).toBe('Unsupported MIME type: image/gif');
    for (const [data, mimeType] of [
      [jpeg, 'image/jpeg'],
      [await solid('#f00').png().toBuffer(), 'image/png'],
      [await solid('#f00').webp().toBuffer(), 'image/webp'],
    ] as Array<[Buffer, string]>) {
      expect((await withImage(data, mimeType)).candidates?.[0]?.finishReason, mimeType).toBe('STOP');
    }
  });

  it('the Files API stores a GIF, but generateContent refuses to use it', async () => {
    const ai = sdk(emu);
    const file = await ai.files.upload({
      file: new Blob([new Uint8Array(await animatedGif())], { type: 'image/gif' }),
      config: { mimeType: 'image/gif' },
    });
    expect(file.state).toBe('ACTIVE');
    const { error } = await apiError(
      ai.models.generateContent({
        model: NB21,
        contents: [
          { role: 'user', parts: [{ fileData: { fileUri: file.uri, mimeType: 'image/gif' } }, { text: 'x' }] },
        ],
      }),
    );
    expect(error.message).toBe('Unsupported MIME type: image/gif');
  });
});

describe('product: GIF, AVIF, BMP, TIFF and SVG references reach Gemini as PNG', () => {
  let emu: Emulator;
  let studio: StudioProcess;
  let allowed: string;
  beforeAll(async () => {
    emu = await startEmulator();
    allowed = await makeDataDir();
    studio = await startStudio('stdio', { geminiUrl: emu.url, env: { STUDIO_ALLOWED_ROOTS: allowed } });
  });
  afterAll(async () => {
    await studio?.close({ removeData: true });
    await emu?.close();
  });
  const call = (name: string, args: Record<string, unknown>) =>
    studio.client.callTool({ name, arguments: args }) as Promise<Result>;
  const sentImage = (m: string) => {
    const part = generateRequests(emu, m)[0]?.body.contents?.at(-1)?.parts?.[0] as
      | { inlineData?: { data: string; mimeType: string } }
      | undefined;
    return { mimeType: part?.inlineData?.mimeType, bytes: Buffer.from(part?.inlineData?.data ?? '', 'base64') };
  };

  it('an animated GIF uploaded as a data URL: stored as PNG of its first frame, said so, and used', async () => {
    const gif = await animatedGif();
    const uploaded = await call('upload_file', { data: `data:image/gif;base64,${gif.toString('base64')}` });
    expect(uploaded.isError, textOf(uploaded)).toBeFalsy();
    expect(textOf(uploaded)).toContain(
      'The file was a GIF file, which Gemini does not accept: it was converted to PNG (first frame only, of 2).',
    );
    expect(textOf(uploaded)).toContain('image/png');
    const uploadId = /upl_\w+/.exec(textOf(uploaded))?.[0];
    const m = marker('gif');
    const made = await call('generate_image', { prompt: `in this style ${m}`, reference_images: [uploadId] });
    expect(made.isError, textOf(made)).toBeFalsy();
    const sent = sentImage(m);
    expect(sent.mimeType).toBe('image/png');
    expect(sent.bytes.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    expect(await pixel(sent.bytes)).toEqual([255, 0, 0]); // the first (red) frame
  });

  it('AVIF, BMP, TIFF and SVG files given by path: sent as PNG, and the result says so', async () => {
    const files: Array<[string, Buffer, string, number[]]> = [
      ['photo.avif', await solid('#ff0000', 16, 16).avif({ lossless: true }).toBuffer(), 'an AVIF file', [255, 0, 0]],
      ['scan.bmp', bmp(), 'a BMP file', [0, 255, 0]],
      ['scan.tiff', await solid('#0000ff').tiff({ compression: 'lzw' }).toBuffer(), 'a TIFF file', [0, 0, 255]],
      ['logo.svg', SVG, 'an SVG file', [0, 255, 0]],
    ];
    for (const [name, data, kind, rgb] of files) {
      const file = path.join(allowed, name);
      await writeFile(file, data);
      const m = marker(name.replace('.', ''));
      const made = await call('generate_image', { prompt: `like this ${m}`, reference_images: [file] });
      expect(made.isError, textOf(made)).toBeFalsy();
      expect(textOf(made)).toContain(
        `Note: ${file} was ${kind}, which Gemini does not accept: it was converted to PNG`,
      );
      const sent = sentImage(m);
      expect(sent.mimeType, name).toBe('image/png');
      expect(await pixel(sent.bytes), name).toEqual(rgb);
    }
    // The BMP was bottom-up: its top row (green) must still be on top, its bottom row red.
    const m = marker('bmp-orientation');
    await call('generate_image', { prompt: `again ${m}`, reference_images: [path.join(allowed, 'scan.bmp')] });
    expect(await pixel(sentImage(m).bytes, 0, 3)).toEqual([255, 0, 0]);
    // The SVG is drawn 1024 px on its longer side.
    const svg = marker('svg-size');
    await call('generate_image', { prompt: `again ${svg}`, reference_images: [path.join(allowed, 'logo.svg')] });
    expect((await sharp(sentImage(svg).bytes).metadata()).width).toBe(1024);
  });

  it('edit_image of a GIF by path: the first frame is what gets edited', async () => {
    const file = path.join(allowed, 'anim.gif');
    await writeFile(file, await animatedGif());
    const m = marker('edit-gif');
    const edited = await call('edit_image', { image: file, instruction: `make it night ${m}` });
    expect(edited.isError, textOf(edited)).toBeFalsy();
    expect(textOf(edited)).toContain('first frame only, of 2');
    expect(idsOf(edited)).toHaveLength(1);
    expect(sentImage(m).mimeType).toBe('image/png');
  });

  it('a file that is no image at all is refused with the accepted types', async () => {
    const file = path.join(allowed, 'notes.txt');
    await writeFile(file, 'hello');
    const result = await call('generate_image', { prompt: 'x', reference_images: [file] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/not an image this server can use\. Use PNG, JPEG, WebP or HEIC/);
  });
});
