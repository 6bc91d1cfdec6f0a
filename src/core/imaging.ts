/**
 * Pixel work: reading real dimensions, fitting previews into a byte budget, converting formats.
 * sharp is loaded on first use so that start-up does not pay for it.
 * @module
 */
import { imageSize } from 'image-size';
import type { Sharp, SharpOptions } from 'sharp';
import { sniffImageMime } from './mime.js';
import { DEFAULT_PREVIEW_EDGE } from './previewEdge.js';

type SharpFactory = (input?: Buffer, options?: SharpOptions) => Sharp;
let sharpPromise: Promise<SharpFactory> | undefined;
export function loadSharp(): Promise<SharpFactory> {
  sharpPromise ??= import('sharp').then((m) => m.default as unknown as SharpFactory);
  return sharpPromise;
}

export interface ImageInfo {
  width: number;
  height: number;
  mimeType: string;
}

/** Raster formats whose header gives the size sharp reports (SVG, HEIF and the rest go to sharp). */
const HEADER_READABLE = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

/**
 * Real dimensions and type, read from the bytes (the header only; no decode). image-size reads the header in
 * JavaScript; sharp's metadata() did the same but held the event loop about 0.5 ms a call in its native
 * entry (issue 14's profile of 200 calls at once: 100 ms of 2.3 s). sharp stays the fallback for what
 * image-size does not know.
 */
export async function readImageInfo(data: Buffer): Promise<ImageInfo> {
  const sniffed = sniffImageMime(data);
  try {
    const { width, height } = sniffed && HEADER_READABLE.has(sniffed) ? imageSize(data) : { width: 0, height: 0 };
    if (sniffed && width > 0 && height > 0) return { width, height, mimeType: sniffed };
  } catch {
    // Not a format image-size knows, or a damaged header: sharp decides.
  }
  const sharp = await loadSharp();
  const meta = await sharp(data, { failOn: 'none' }).metadata();
  const mimeType = sniffed ?? (meta.format ? `image/${meta.format}` : '');
  return { width: meta.width ?? 0, height: meta.height ?? 0, mimeType };
}

export interface Preview {
  data: Buffer;
  mimeType: string;
  width: number;
  height: number;
  /** True when the preview is the original bytes, untouched. */
  original: boolean;
  /** The longest side it was made for (the `maxEdge` asked). */
  maxEdge?: number;
}

const PREVIEWABLE = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);
const SMALLER_EDGES = [1024, 768, 512, 384, 256, 160];

/**
 * A preview whose base64 form is at most `maxBase64Bytes`. The original is used as is when it already
 * fits and is no larger than `maxEdge`; otherwise it is scaled down as JPEG, stepping down in size.
 * `first` is what this would try first (made earlier, with no budget): used when it fits, not made again.
 */
export async function makePreview(
  data: Buffer,
  info: ImageInfo,
  options: { maxBase64Bytes: number; maxEdge?: number; first?: Preview },
): Promise<Preview | undefined> {
  const rawBudget = Math.floor((options.maxBase64Bytes * 3) / 4);
  const maxEdge = options.maxEdge ?? DEFAULT_PREVIEW_EDGE;
  const first = options.first;
  if (first && first.maxEdge === maxEdge && first.data.length <= rawBudget) return first;
  if (data.length <= rawBudget && Math.max(info.width, info.height) <= maxEdge && PREVIEWABLE.has(info.mimeType)) {
    return { data, mimeType: info.mimeType, width: info.width, height: info.height, original: true, maxEdge };
  }
  const sharp = await loadSharp();
  for (const edge of [maxEdge, ...SMALLER_EDGES.filter((e) => e < maxEdge)]) {
    for (const quality of [80, 60]) {
      // Shrunk on load where the format allows (JPEG, WebP): no full-size decode.
      const { data: out, info: outInfo } = await sharp(data, { failOn: 'none' })
        .resize({ width: edge, height: edge, fit: 'inside', withoutEnlargement: true, fastShrinkOnLoad: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality })
        .toBuffer({ resolveWithObject: true });
      if (out.length <= rawBudget) {
        const size = { width: outInfo.width, height: outInfo.height };
        return { data: out, mimeType: 'image/jpeg', ...size, original: false, maxEdge };
      }
    }
  }
  return undefined;
}

/**
 * A small WebP no larger than `edge` on its longer side, for gallery thumbnails. Encoder effort 2 (of 0-6,
 * default 4): 320 px from a 1K JPEG in 8.3 ms instead of 12.8 ms here, 5% more bytes (5.6 KB against 5.3);
 * every image stored pays it, in the background, next to the calls that wait.
 */
export async function makeThumbnail(data: Buffer, edge: number): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(data, { failOn: 'none' })
    .resize({ width: edge, height: edge, fit: 'inside', withoutEnlargement: true, fastShrinkOnLoad: true })
    .webp({ quality: 70, effort: 2 })
    .toBuffer();
}

/** Re-encodes to the format a file name asks for, so that `out.png` really holds PNG bytes. */
export async function convertImage(data: Buffer, mimeType: 'image/png' | 'image/jpeg' | 'image/webp'): Promise<Buffer> {
  const sharp = await loadSharp();
  const image = sharp(data, { failOn: 'none' });
  if (mimeType === 'image/png') return image.png().toBuffer();
  if (mimeType === 'image/webp') return image.webp({ quality: 92 }).toBuffer();
  return image.flatten({ background: '#ffffff' }).jpeg({ quality: 92 }).toBuffer();
}
