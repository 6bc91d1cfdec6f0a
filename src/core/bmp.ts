/**
 * A small BMP decoder (uncompressed 1/4/8/24/32-bit and 16/32-bit bitfields, bottom-up or top-down) into RGBA
 * pixels, because sharp's prebuilt libvips reads no BMP. RLE-compressed files are refused with a clear message.
 * @module
 */
import { InvalidInputError } from './errors.js';

export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 4;
}

const MAX_PIXELS = 100_000_000;

export function decodeBmp(buf: Buffer): RawImage {
  const fail = (why: string) =>
    new InvalidInputError(`This BMP file cannot be read (${why}). Save it as PNG or JPEG and try again.`);
  if (buf.length < 26 || buf.toString('latin1', 0, 2) !== 'BM') throw fail('not a BMP file');
  const pixelOffset = buf.readUInt32LE(10);
  const headerSize = buf.readUInt32LE(14);
  let width: number;
  let height: number;
  let bpp: number;
  let compression = 0;
  let paletteCount = 0;
  if (headerSize === 12) {
    width = buf.readUInt16LE(18);
    height = buf.readInt16LE(20);
    bpp = buf.readUInt16LE(24);
  } else {
    if (buf.length < 54) throw fail('truncated header');
    width = buf.readInt32LE(18);
    height = buf.readInt32LE(22);
    bpp = buf.readUInt16LE(28);
    compression = buf.readUInt32LE(30);
    paletteCount = buf.readUInt32LE(46);
  }
  const topDown = height < 0;
  height = Math.abs(height);
  if (width <= 0 || height <= 0 || width * height > MAX_PIXELS) throw fail(`bad size ${width}x${height}`);
  // 0 = BI_RGB, 3 = BI_BITFIELDS, 6 = BI_ALPHABITFIELDS.
  if (compression !== 0 && compression !== 3 && compression !== 6) throw fail(`compression ${compression}`);
  let masks: [number, number, number, number] | undefined;
  if (compression === 3 || compression === 6) {
    const at = headerSize >= 52 ? 54 : 14 + headerSize;
    masks = [buf.readUInt32LE(at), buf.readUInt32LE(at + 4), buf.readUInt32LE(at + 8), 0];
    if (headerSize >= 56 || compression === 6) masks[3] = buf.readUInt32LE(at + 12);
  } else if (bpp === 16) {
    masks = [0x7c00, 0x03e0, 0x001f, 0];
  }
  const paletteAt = 14 + headerSize;
  const entry = headerSize === 12 ? 3 : 4;
  const palette = bpp <= 8 ? paletteCount || 1 << bpp : 0;
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (pixelOffset + stride * height > buf.length) throw fail('truncated pixel data');
  const out = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    const row = pixelOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x += 1) {
      const o = (y * width + x) * 4;
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 255;
      if (bpp <= 8) {
        const bit = x * bpp;
        const byte = buf[row + (bit >> 3)] ?? 0;
        const index = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        if (index >= palette) throw fail('palette index out of range');
        const p = paletteAt + index * entry;
        b = buf[p] ?? 0;
        g = buf[p + 1] ?? 0;
        r = buf[p + 2] ?? 0;
      } else if (bpp === 24) {
        const p = row + x * 3;
        b = buf[p] ?? 0;
        g = buf[p + 1] ?? 0;
        r = buf[p + 2] ?? 0;
      } else if (bpp === 16 || bpp === 32) {
        const value = bpp === 16 ? buf.readUInt16LE(row + x * 2) : buf.readUInt32LE(row + x * 4);
        if (masks) {
          [r, g, b] = [channel(value, masks[0]), channel(value, masks[1]), channel(value, masks[2])];
          if (masks[3]) a = channel(value, masks[3]);
        } else {
          b = value & 0xff;
          g = (value >>> 8) & 0xff;
          r = (value >>> 16) & 0xff;
        }
      } else {
        throw fail(`${bpp} bits per pixel`);
      }
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      out[o + 3] = a;
    }
  }
  return { data: out, width, height, channels: 4 };
}

/** Scales the bits selected by `mask` to 0..255. */
function channel(value: number, mask: number): number {
  if (mask === 0) return 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift += 1;
  const max = mask >>> shift;
  return Math.round((((value & mask) >>> shift) * 255) / max);
}
