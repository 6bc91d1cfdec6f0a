/**
 * Gallery thumbnails, made once when an image is stored (not when a gallery page asks for them), kept
 * next to the image in the blob store under `thumbs/<image id>.webp`. An image stored before thumbnails
 * existed gets its thumbnail on first request, then kept like the others.
 * @module
 */

import { NotFoundError } from './errors.js';
import { makeThumbnail } from './imaging.js';
import type { BlobStore } from './ports.js';

/** The longer side of a thumbnail, in pixels. */
export const THUMB_EDGE = 320;

export function thumbnailKey(imageId: string): string {
  return `thumbs/${imageId}.webp`;
}

/** Makes and stores the thumbnail of an image's bytes; returns it. */
export async function storeThumbnail(blobs: BlobStore, imageId: string, data: Buffer): Promise<Buffer> {
  const thumb = await makeThumbnail(data, THUMB_EDGE);
  await blobs.put(thumbnailKey(imageId), thumb);
  return thumb;
}

let backgroundTail: Promise<unknown> = Promise.resolve();

/**
 * storeThumbnail in the background, one at a time: a burst of results must not all decode at once next to
 * the work their callers wait for (CPU and memory); the thumbnails follow shortly after.
 */
export function storeThumbnailLater(blobs: BlobStore, imageId: string, source: () => Promise<Buffer>): Promise<Buffer> {
  const done = backgroundTail.then(async () => storeThumbnail(blobs, imageId, await source()));
  backgroundTail = done.catch(() => undefined);
  return done;
}

/** The stored thumbnail, or (an older image) one made now from the original and stored. */
export async function readThumbnail(blobs: BlobStore, record: { id: string; blobKey: string }): Promise<Buffer> {
  try {
    return await blobs.get(thumbnailKey(record.id));
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    return storeThumbnail(blobs, record.id, await blobs.get(record.blobKey));
  }
}
