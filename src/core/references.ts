/**
 * Reference images named by the caller: ids of stored images, ids of uploaded files, or (on stdio) local
 * paths inside the allowed roots.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { type PathPolicy, resolveAllowedPath } from './allowedPaths.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import { toGeminiInput } from './geminiInput.js';
import type { BlobStore, ImageRecord, ImageRepository, ReferenceImage } from './ports.js';
import { looksLikeUploadId, type UploadService } from './uploads.js';

export interface ReferenceContext {
  ownerId: string;
  /** Admins may use anyone's images. */
  isAdmin?: boolean;
  /** Present only where local paths are allowed (stdio). */
  paths?: PathPolicy;
  maxBytes: number;
}

export interface LoadedReference {
  /** Inline bytes, or a Gemini file for a large (or Gemini-kept) upload. */
  image: ReferenceImage;
  /** The stored image, when the reference was an id. */
  record?: ImageRecord;
  /** The upload id and its owner, when the reference was an uploaded file. */
  uploadId?: string;
  uploadOwnerId?: string;
  /** The absolute path, when the reference was a file. */
  path?: string;
  /** Set when the file was converted to a type Gemini accepts (a GIF's first frame, …). */
  note?: string;
}

const IMAGE_ID = /^img_[A-Za-z0-9]{10,40}$/;

export function looksLikeImageId(value: string): boolean {
  return IMAGE_ID.test(value.trim());
}

export async function loadReference(
  value: string,
  ctx: ReferenceContext,
  deps: { images: ImageRepository; blobs: BlobStore; uploads?: Pick<UploadService, 'referenceFor' | 'get'> },
): Promise<LoadedReference> {
  const trimmed = value.trim();
  if (looksLikeUploadId(trimmed)) {
    if (!deps.uploads) throw new InvalidInputError('This server does not keep uploaded files; refer to images by id.');
    // Checked with the caller's rights (an admin may use anyone's); used as the upload's owner from then on.
    const upload = await deps.uploads.get(trimmed, ctx);
    return {
      image: await deps.uploads.referenceFor(upload.id, upload.ownerId),
      uploadId: upload.id,
      uploadOwnerId: upload.ownerId,
    };
  }
  if (looksLikeImageId(trimmed)) {
    const record = await getOwnedImage(trimmed, ctx, deps.images);
    const data = await deps.blobs.get(record.blobKey);
    return { image: { kind: 'inline', data, mimeType: record.mimeType }, record };
  }
  if (!ctx.paths) {
    throw new InvalidInputError(
      `"${trimmed}" is not an image id. Over HTTP, refer to images by the ids that generate_image and list_images return (img_…), or upload a file with upload_file and use its id (upl_…).`,
    );
  }
  const absolute = await resolveAllowedPath(trimmed, ctx.paths);
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isFile()) throw new InvalidInputError(`No file at ${absolute}. Check the path and try again.`);
  if (info.size > ctx.maxBytes) {
    throw new InvalidInputError(
      `${absolute} is ${(info.size / 1e6).toFixed(1)} MB; reference images may be at most ${(ctx.maxBytes / 1e6).toFixed(0)} MB. Use a smaller copy.`,
    );
  }
  // Sent as what Gemini accepts, labelled by its bytes: GIF, AVIF, BMP, TIFF and SVG become PNG.
  const accepted = await toGeminiInput(await readFile(absolute), absolute);
  return {
    image: { kind: 'inline', data: accepted.data, mimeType: accepted.mimeType },
    path: absolute,
    ...(accepted.note ? { note: accepted.note } : {}),
  };
}

/** Who may see an image: its owner, and admins. */
export function canSeeImage(
  record: Pick<ImageRecord, 'ownerId'>,
  ctx: { ownerId: string; isAdmin?: boolean },
): boolean {
  return ctx.isAdmin === true || record.ownerId === ctx.ownerId;
}

/** The image with this id, if the caller may see it; otherwise the same "not found" as for a missing id. */
export async function getOwnedImage(
  id: string,
  ctx: { ownerId: string; isAdmin?: boolean },
  images: ImageRepository,
): Promise<ImageRecord> {
  const record = await images.get(id);
  if (!record || !canSeeImage(record, ctx)) {
    throw new NotFoundError(`No image with id "${id}". Call list_images to see the ids of your images.`);
  }
  return record;
}
