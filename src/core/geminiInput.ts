/**
 * Makes any image a person gives into one Gemini accepts: PNG, JPEG, WebP, HEIC or HEIF, labelled with what the
 * bytes really are (gemini-api.md item 6: GIF is refused with a 400, and JPEG bytes labelled image/png get
 * "Unhandled generated data mime type"). GIF (its first frame), AVIF, BMP, TIFF (its first page) and SVG are
 * converted to PNG before they are stored, sent or uploaded to the Files API, and the caller is told.
 * @module
 */
import { decodeBmp } from './bmp.js';
import { InvalidInputError } from './errors.js';
import { loadSharp } from './imaging.js';
import { GEMINI_INPUT_MIMES, sniffImageMime } from './mime.js';

export interface GeminiInput {
  data: Buffer;
  /** Always the type of `data`, sniffed. */
  mimeType: string;
  /** Set when the image was converted: what was done, in a sentence for the result. */
  note?: string;
}

const NAMES: Record<string, string> = {
  'image/gif': 'GIF',
  'image/avif': 'AVIF',
  'image/bmp': 'BMP',
  'image/tiff': 'TIFF',
  'image/svg+xml': 'SVG',
};

/** SVGs are drawn this many pixels on their longer side (Gemini's 1K tier). */
const SVG_EDGE = 1024;

export async function toGeminiInput(data: Buffer, what = 'The image'): Promise<GeminiInput> {
  const sniffed = sniffImageMime(data);
  if (sniffed === undefined) {
    throw new InvalidInputError(
      `${what} is not an image this server can use. Use PNG, JPEG, WebP or HEIC (GIF, AVIF, BMP, TIFF and SVG are converted to PNG).`,
    );
  }
  if (GEMINI_INPUT_MIMES.has(sniffed)) return { data, mimeType: sniffed };
  const name = NAMES[sniffed] ?? sniffed;
  let png: Buffer;
  let detail = '';
  try {
    const sharp = await loadSharp();
    if (sniffed === 'image/bmp') {
      const raw = decodeBmp(data);
      png = await sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } })
        .png()
        .toBuffer();
    } else if (sniffed === 'image/svg+xml') {
      const meta = await sharp(data).metadata();
      const edge = Math.max(meta.width ?? 0, meta.height ?? 0) || SVG_EDGE;
      // Drawn sharp (a density that reaches the edge), then fitted to exactly SVG_EDGE on the longer side.
      const density = Math.min(72 * Math.max(1, SVG_EDGE / edge), 9600);
      png = await sharp(data, { density })
        .resize({ width: SVG_EDGE, height: SVG_EDGE, fit: 'inside' })
        .png()
        .toBuffer();
      detail = `, drawn ${SVG_EDGE} px on its longer side`;
    } else {
      const meta = await sharp(data, { failOn: 'none' }).metadata();
      const pages = meta.pages ?? 1;
      png = await sharp(data, { failOn: 'none', pages: 1, page: 0 }).png().toBuffer();
      if (sniffed === 'image/gif') detail = pages > 1 ? ` (first frame only, of ${pages})` : ' (first frame)';
      else if (pages > 1) detail = ` (first page only, of ${pages})`;
    }
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError(
      `${what} is a ${name} file that could not be converted (${(error as Error).message}). Save it as PNG or JPEG and try again.`,
    );
  }
  return {
    data: png,
    mimeType: 'image/png',
    note: `${what} was ${articled(name)} ${name} file, which Gemini does not accept: it was converted to PNG${detail}.`,
  };
}

function articled(name: string): string {
  return /^[AEIOS]/.test(name) ? 'an' : 'a';
}
