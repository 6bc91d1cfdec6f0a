/**
 * readImageInfo reads sizes from the header (image-size) instead of sharp's metadata() (issue 14): it must
 * say what sharp says for every format it answers, and leave the rest to sharp.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readImageInfo } from '../src/core/imaging.js';

const pixels = (width: number, height: number) =>
  sharp(Buffer.from(Array.from({ length: width * height * 3 }, (_, i) => (i * 31) % 256)), {
    raw: { width, height, channels: 3 },
  });

describe('readImageInfo', () => {
  const cases: Array<[string, () => Promise<Buffer>, string]> = [
    ['baseline JPEG', () => pixels(640, 360).jpeg().toBuffer(), 'image/jpeg'],
    ['progressive JPEG', () => pixels(360, 640).jpeg({ progressive: true }).toBuffer(), 'image/jpeg'],
    // EXIF orientation 6 (rotated): both report the stored size, not the displayed one.
    [
      'JPEG with EXIF orientation',
      () => pixels(300, 200).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
      'image/jpeg',
    ],
    ['PNG', () => pixels(1024, 1).png().toBuffer(), 'image/png'],
    ['PNG with alpha', () => pixels(77, 55).ensureAlpha().png().toBuffer(), 'image/png'],
    ['lossy WebP', () => pixels(500, 281).webp().toBuffer(), 'image/webp'],
    ['lossless WebP', () => pixels(129, 257).webp({ lossless: true }).toBuffer(), 'image/webp'],
    ['WebP with alpha (VP8X)', () => pixels(64, 48).ensureAlpha().webp().toBuffer(), 'image/webp'],
    ['GIF', () => pixels(33, 21).gif().toBuffer(), 'image/gif'],
    ['TIFF (sharp answers)', () => pixels(40, 30).tiff().toBuffer(), 'image/tiff'],
  ];
  it.each(cases)('%s: the size sharp reports, the type from the bytes', async (_name, make, mimeType) => {
    const data = await make();
    const meta = await sharp(data).metadata();
    expect(await readImageInfo(data)).toEqual({ width: meta.width, height: meta.height, mimeType });
  });

  it('a damaged header goes to sharp, which refuses it', async () => {
    const data = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(40)]);
    await expect(readImageInfo(data)).rejects.toThrow();
  });
});
