/**
 * Image type detection from magic bytes. Gemini 3 image models label JPEG bytes `image/png`, and users
 * name files whatever they like, so the bytes are the only trustworthy source of an image's type.
 * Pure functions, no dependencies.
 * @module
 */

export type SniffedImageMime =
  | 'image/jpeg'
  | 'image/png'
  | 'image/webp'
  | 'image/gif'
  | 'image/heic'
  | 'image/avif'
  | 'image/bmp'
  | 'image/tiff'
  | 'image/svg+xml';

/**
 * What Gemini accepts as an input image (gemini-api.md item 6): anything else (GIF, AVIF, BMP, TIFF, SVG) is a
 * 400, and so is a label that does not match the bytes. See geminiInput.ts for the conversion.
 */
export const GEMINI_INPUT_MIMES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/heic',
  'image/heif',
]);

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** ISO-BMFF brands (HEIF family) that identify HEIC (HEVC-coded) images. */
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((value, index) => bytes[offset + index] === value);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/**
 * HEIC and AVIF share the `ftyp` box. The major brand usually decides; files whose major brand is the
 * generic `mif1`/`msf1` list the specific brand among the compatible brands that follow.
 */
function sniffIsoBmff(bytes: Uint8Array): 'image/heic' | 'image/avif' | undefined {
  if (bytes.length < 12 || ascii(bytes, 4, 8) !== 'ftyp') return undefined;
  const boxSize = ((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
  const boxEnd = Math.min(bytes.length, boxSize >= 16 ? boxSize : 12);
  // Major brand at 8..12, minor version at 12..16, compatible brands from 16 to the end of the box.
  const brands = [ascii(bytes, 8, 12)];
  for (let offset = 16; offset + 4 <= boxEnd; offset += 4) brands.push(ascii(bytes, offset, offset + 4));
  if (brands.some((brand) => AVIF_BRANDS.has(brand))) return 'image/avif';
  if (brands.some((brand) => HEIC_BRANDS.has(brand))) return 'image/heic';
  return undefined;
}

/** The image type the bytes really are, or `undefined` when they are none of the supported formats. */
export function sniffImageMime(bytes: Uint8Array): SniffedImageMime | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'image/webp';
  if (bytes.length >= 6) {
    const header = ascii(bytes, 0, 6);
    if (header === 'GIF87a' || header === 'GIF89a') return 'image/gif';
  }
  if (bytes.length >= 26 && ascii(bytes, 0, 2) === 'BM') return 'image/bmp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  return sniffIsoBmff(bytes) ?? sniffSvg(bytes);
}

/** SVG is text: an optional BOM, XML declaration, comments or doctype, then an `<svg` root. */
function sniffSvg(bytes: Uint8Array): 'image/svg+xml' | undefined {
  const head = Buffer.from(bytes.subarray(0, 4096))
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (!head.startsWith('<')) return undefined;
  const rest = head.replace(/^(<\?xml[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>|\s+)*/i, '');
  return /^<svg[\s>]/i.test(rest) ? 'image/svg+xml' : undefined;
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg',
  'image/jpg': 'jpg',
  'image/pjpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/heic': 'heic',
  'image/heif': 'heif',
  'image/avif': 'avif',
  'image/bmp': 'bmp',
  'image/tiff': 'tiff',
  'image/svg+xml': 'svg',
};

/** File extension (no dot) for a MIME type; `bin` for types we do not know. Parameters and case are ignored. */
export function extensionForMime(mime: string): string {
  const base = mime.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return EXTENSIONS[base] ?? 'bin';
}
