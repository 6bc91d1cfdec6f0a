/**
 * What `upload_file` receives, read and checked: base64 text (or a `data:` URL) or, on stdio, a path
 * inside the allowed roots; the size cap; the image type sniffed from the bytes against the declared one.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type PathPolicy, resolveAllowedPath } from './allowedPaths.js';
import { InvalidInputError } from './errors.js';
import { toGeminiInput } from './geminiInput.js';
import { sniffImageMime } from './mime.js';

export interface RawUpload {
  /** The bytes, or base64 text (a `data:…;base64,` URL is accepted too). */
  data?: Buffer | string;
  /** A local file (stdio only): needs `paths`. */
  path?: string;
  /** Present where local paths are allowed (stdio). */
  paths?: PathPolicy;
  /** What the caller says the type is; an error when the bytes say otherwise. */
  mimeType?: string;
}

export interface CheckedUpload {
  data: Buffer;
  /** The sniffed type (after conversion: PNG for GIF, AVIF, BMP, TIFF and SVG). */
  mimeType: string;
  /** Set when the file was converted to a type Gemini accepts. */
  note?: string;
  /** The file name, for path uploads. */
  defaultName?: string;
}

/** Reads the bytes, enforcing `maxBytes`, and checks they are an image of the declared type. */
export async function readUpload(input: RawUpload, maxBytes: number): Promise<CheckedUpload> {
  const read = await readInput(input, maxBytes);
  checkedMime(read.data, input.mimeType ?? read.declaredMime, read.what);
  const accepted = await toGeminiInput(read.data, read.what === 'The data' ? 'The file' : read.what);
  return {
    data: accepted.data,
    mimeType: accepted.mimeType,
    ...(accepted.note ? { note: accepted.note } : {}),
    ...(read.defaultName ? { defaultName: renamed(read.defaultName, accepted.mimeType) } : {}),
  };
}

/** `logo.gif` stored as PNG is named `logo.png`. */
function renamed(name: string, mimeType: string): string {
  if (mimeType !== 'image/png' || /\.png$/i.test(name)) return name;
  return `${name.replace(/\.[A-Za-z0-9]{1,5}$/, '')}.png`;
}

interface ReadInput {
  data: Buffer;
  /** From a `data:` URL. */
  declaredMime?: string;
  defaultName?: string;
  /** How to name the input in messages. */
  what: string;
}

async function readInput(input: RawUpload, maxBytes: number): Promise<ReadInput> {
  const hasData = input.data !== undefined && input.data !== '';
  const hasPath = input.path !== undefined && input.path.trim() !== '';
  if (hasData === hasPath) {
    throw new InvalidInputError(
      hasData
        ? 'Give either `path` or `data`, not both.'
        : 'Give the file: `path` (a local file, on a local server) or `data` (its bytes as base64).',
    );
  }
  if (hasData) {
    if (Buffer.isBuffer(input.data)) {
      if (input.data.length > maxBytes) throw tooLarge(input.data.length, maxBytes);
      return { data: input.data, what: 'The data' };
    }
    return { ...decodeBase64(String(input.data), maxBytes), what: 'The data' };
  }
  if (!input.paths) {
    throw new InvalidInputError(
      '`path` is only available on a local (stdio) server. Over HTTP, send the file itself as base64 in `data`.',
    );
  }
  const absolute = await resolveAllowedPath(String(input.path), input.paths);
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isFile()) throw new InvalidInputError(`No file at ${absolute}. Check the path and try again.`);
  if (info.size > maxBytes) throw tooLarge(info.size, maxBytes, absolute);
  return { data: await readFile(absolute), defaultName: path.basename(absolute), what: absolute };
}

/** Strict base64 (standard or URL-safe alphabet, whitespace ignored), optionally as a `data:` URL. */
export function decodeBase64(text: string, maxBytes: number): { data: Buffer; declaredMime?: string } {
  let body = text.trim();
  let declaredMime: string | undefined;
  const dataUrl = /^data:([^;,]*)((?:;[^;,]*)*),/i.exec(body);
  if (dataUrl) {
    if (!/;base64$/i.test(dataUrl[2] ?? '')) {
      throw new InvalidInputError('`data` is a data: URL without ";base64". Send the bytes base64-encoded.');
    }
    declaredMime = dataUrl[1] || undefined;
    body = body.slice(dataUrl[0].length);
  }
  body = body.replace(/\s+/g, '');
  if (body === '') throw new InvalidInputError('`data` is empty. Send the file as base64.');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(body) || body.length % 4 === 1) {
    throw new InvalidInputError(
      "`data` is not valid base64. Send the file's bytes base64-encoded (for example the output of `base64 -w0 file.png`).",
    );
  }
  const size = Math.floor((body.replace(/=+$/, '').length * 3) / 4);
  if (size > maxBytes) throw tooLarge(size, maxBytes);
  return { data: Buffer.from(body, 'base64'), ...(declaredMime ? { declaredMime } : {}) };
}

/** The sniffed type; an error when the bytes are no image, or not the image `declared` says. */
function checkedMime(data: Buffer, declared: string | undefined, what: string): string {
  const sniffed = sniffImageMime(data);
  const wanted = declared === undefined ? undefined : normaliseMime(declared);
  if (!sniffed) {
    throw new InvalidInputError(
      `${what} is not an image this server can use (PNG, JPEG, WebP, HEIC; GIF, AVIF, BMP, TIFF and SVG are converted to PNG)${
        wanted ? `, although mime_type says ${wanted}` : ''
      }. Upload an image file.`,
    );
  }
  if (wanted !== undefined && wanted !== sniffed && !(wanted === 'image/heif' && sniffed === 'image/heic')) {
    throw new InvalidInputError(
      `mime_type says ${wanted}, but the bytes are ${sniffed}. Leave mime_type out to use the detected type, or send the file you meant.`,
    );
  }
  return sniffed;
}

function normaliseMime(mime: string): string {
  const base = mime.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  const aliases: Record<string, string> = {
    'image/jpg': 'image/jpeg',
    'image/pjpeg': 'image/jpeg',
    'image/x-png': 'image/png',
  };
  return aliases[base] ?? base;
}

function tooLarge(size: number, maxBytes: number, what = 'The file'): InvalidInputError {
  return new InvalidInputError(
    `${what} is ${formatBytes(size)}; uploads may be at most ${formatBytes(maxBytes)}. Use a smaller file, or raise the limit with STUDIO_MAX_UPLOAD_MB (config maxUploadMb).`,
  );
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
