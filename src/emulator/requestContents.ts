/**
 * The contents of a generateContent request, checked as Google checks them: roles, parts and their one data
 * field, inline images (base64, MIME type), Files API references (present and ACTIVE), and the thought
 * signatures Gemini 3 image models put on their own turns in the history.
 * @module
 */
import { fieldError, fileDenied, invalidArgument } from './errors.js';
import type { FileStore } from './fileStore.js';
import { fileIdFromUri } from './fileStore.js';
import { checkImageMime } from './imageMime.js';
import type { ImageModel } from './models.js';
import { fields, isObject, type Json } from './protoJson.js';
import { verifyPart } from './signatures.js';

const PART_KEYS = new Set([
  'text',
  'inlineData',
  'fileData',
  'thought',
  'thoughtSignature',
  'functionCall',
  'functionResponse',
  'executableCode',
  'codeExecutionResult',
  'videoMetadata',
  'mediaResolution',
  'partMetadata',
]);

export interface ContentInfo {
  role: string;
  parts: Json[];
}

export function readContents(value: unknown): ContentInfo[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw fieldError('contents', 'contents is not specified');
  }
  return value.map((content, i) => {
    if (!isObject(content))
      throw invalidArgument(`Invalid JSON payload received. Expected an object at 'contents[${i}]'.`);
    const role = content.role === undefined ? 'user' : content.role;
    if (role !== 'user' && role !== 'model') throw invalidArgument('Please use a valid role: user, model.');
    return { role, parts: readParts(content.parts, `contents[${i}]`) };
  });
}

export function readParts(value: unknown, at: string): Json[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw fieldError(`${at}.parts`, 'contents.parts must not be empty.');
  }
  return value.map((part, j) => {
    if (!isObject(part))
      throw invalidArgument(`Invalid JSON payload received. Expected an object at '${at}.parts[${j}]'.`);
    const out = fields(part, PART_KEYS, `${at}.parts[${j}]`);
    const data = [
      'text',
      'inlineData',
      'fileData',
      'functionCall',
      'functionResponse',
      'executableCode',
      'codeExecutionResult',
    ];
    if (!data.some((k) => k in out)) {
      throw fieldError(`${at}.parts[${j}].data`, "required oneof field 'data' must have one initialized field");
    }
    return out;
  });
}

export function findLastUser(contents: ContentInfo[]): number {
  for (let i = contents.length - 1; i >= 0; i--) if (contents[i]?.role === 'user') return i;
  return contents.length - 1;
}

/** Validates data parts; returns whether the part is an image. */
export function checkPart(part: Json, files: FileStore, role: string): boolean {
  if (part.inlineData !== undefined) {
    const inline = isObject(part.inlineData) ? part.inlineData : {};
    const mimeType =
      typeof (inline.mimeType ?? inline.mime_type) === 'string' ? String(inline.mimeType ?? inline.mime_type) : '';
    const data = inline.data;
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(data.slice(-64))) {
      throw invalidArgument("Invalid value at 'contents.parts.inline_data.data' (TYPE_BYTES), Base64 decoding failed.");
    }
    if (!mimeType) throw fieldError('contents.parts.inline_data.mime_type', 'mime_type is required.');
    // The model's own images come back in the history as Google labelled them (JPEG bytes as image/png).
    if (role === 'user') checkImageMime(mimeType, data);
    return mimeType.startsWith('image/');
  }
  if (part.fileData !== undefined) {
    const fileData = isObject(part.fileData) ? part.fileData : {};
    const uri = fileData.fileUri ?? fileData.file_uri;
    if (typeof uri !== 'string' || uri === '')
      throw fieldError('contents.parts.file_data.file_uri', 'file_uri is required.');
    const id = fileIdFromUri(uri);
    const file = files.get(id);
    if (!file) throw fileDenied(id);
    if (files.state(file) !== 'ACTIVE') {
      throw invalidArgument(`The File ${id} is not in an ACTIVE state and usage is not allowed.`);
    }
    const mimeType = typeof fileData.mimeType === 'string' ? fileData.mimeType : file.mimeType;
    checkImageMime(mimeType, undefined);
    return mimeType.startsWith('image/');
  }
  return false;
}

/**
 * Gemini 3 image models sign their answers. Positions in the message are 1-based, as in Google's message
 * ("content position 2, part position 1" is the first part of the second content).
 */
export function checkSignature(part: Json, model: ImageModel, contentIndex: number, partIndex: number): void {
  if (part.thought === true) return;
  const inline = isObject(part.inlineData) ? part.inlineData : undefined;
  const isImage = inline !== undefined && typeof inline.mimeType === 'string' && inline.mimeType.startsWith('image/');
  const signature = part.thoughtSignature;
  if (signature === undefined || signature === '') {
    if (isImage && model.enforcesSignatures) {
      throw invalidArgument(
        `Image part is missing a thought_signature in content position ${contentIndex + 1}, part position ${partIndex + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures#model-behavior for more details.`,
      );
    }
    return;
  }
  if (typeof signature !== 'string') throw invalidArgument('Corrupted thought signature.');
  let check: ReturnType<typeof verifyPart>;
  if (isImage && inline) check = verifyPart(signature, model.id, 'image', String(inline.data ?? ''));
  else if (typeof part.text === 'string') check = verifyPart(signature, model.id, 'text', part.text);
  else check = verifyPart(signature, model.id, 'text', '');
  if (check !== 'valid' && check !== 'bypass') throw invalidArgument('Corrupted thought signature.');
}
