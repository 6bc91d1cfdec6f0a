/**
 * Google's rule for input images: PNG, JPEG, WebP, HEIC and HEIF only, with a label that matches the bytes.
 * - Another image type: `400 Unsupported MIME type: image/gif` (MaiBot #1435 for GIF on 2.5 Flash; comic-translate
 *   PR #399 for `image/jpg`; the model docs' supported-formats list, cited in microsoft/vscode#286628).
 * - JPEG bytes labelled `image/png`: `400 Unhandled generated data mime type: image/jpeg`
 *   (open-webui PR #25127, on 3.1 Flash Image; gemini-api.md item 6).
 * Sniffed here on the emulator's own, sharing no code with the product.
 * @module
 */
import { invalidArgument } from './errors.js';

const ACCEPTED = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif']);

/** `label` as sent; `base64` the inline data (undefined for Files API parts, whose bytes are not re-checked). */
export function checkImageMime(label: string, base64: string | undefined): void {
  const mime = label.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (!mime.startsWith('image/')) return;
  if (!ACCEPTED.has(mime)) throw invalidArgument(`Unsupported MIME type: ${mime}`);
  if (base64 === undefined) return;
  const actual = sniff(Buffer.from(base64.slice(0, 64), 'base64'));
  if (actual === undefined) return;
  const same = actual === mime || (actual === 'image/heic' && mime === 'image/heif');
  if (same) return;
  if (!ACCEPTED.has(actual)) throw invalidArgument(`Unsupported MIME type: ${actual}`);
  throw invalidArgument(`Unhandled generated data mime type: ${actual}`);
}

function sniff(b: Buffer): string | undefined {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  const ascii = b.toString('latin1');
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'image/webp';
  if (ascii.startsWith('GIF87a') || ascii.startsWith('GIF89a')) return 'image/gif';
  if (ascii.startsWith('BM')) return 'image/bmp';
  if (ascii.startsWith('II*\0') || ascii.startsWith('MM\0*')) return 'image/tiff';
  if (ascii.slice(4, 8) === 'ftyp') {
    const brands = ascii.slice(8, 32);
    if (/avi[fs]/.test(brands)) return 'image/avif';
    if (/hei[cxms]|hev[cxms]|mif1/.test(brands)) return 'image/heic';
  }
  if (/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/i.test(ascii)) return 'image/svg+xml';
  return undefined;
}
