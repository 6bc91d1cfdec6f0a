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
/** Stores whose server is closing: their queued thumbnails are dropped (made on first view instead). */
const closing = new WeakSet<BlobStore>();
/** When the last image was queued: thumbnails wait for a quiet moment after it. */
let lastQueuedAt = 0;
/** A quiet moment: no image stored for this long. */
export const THUMBNAIL_QUIET_MS = 250;
/** The longest a thumbnail waits for a quiet moment; then it is made anyway. */
export const THUMBNAIL_MAX_DELAY_MS = 10_000;

/**
 * storeThumbnail in the background, one at a time, each once no image has been stored for
 * THUMBNAIL_QUIET_MS (or after THUMBNAIL_MAX_DELAY_MS): while results are coming in, their callers wait
 * for the CPU a thumbnail would take (a JPEG decode and a WebP encode, ~8 ms for 1K here). Measured in
 * issue 14: a thumbnail made at once, beside the next call, took 1K calls back to back from ~7 to ~11 ms of
 * server time each. With Gemini's 10-30 s per image the quiet moments come by themselves. A thumbnail made
 * meanwhile on demand (a gallery asked first) is not made twice (nor read: it resolves with nothing, as a dropped one does).
 */
export function storeThumbnailLater(
  blobs: BlobStore,
  imageId: string,
  source: () => Promise<Buffer>,
): Promise<Buffer | undefined> {
  const queuedAt = Date.now();
  lastQueuedAt = queuedAt;
  const done = backgroundTail.then(async () => {
    await quietMoment(queuedAt, blobs);
    if (closing.has(blobs)) return undefined;
    const key = thumbnailKey(imageId);
    if (await blobs.exists(key)) return undefined;
    return storeThumbnail(blobs, imageId, await source());
  });
  backgroundTail = done.catch(() => undefined);
  return done;
}

/** Drops the thumbnails still queued for `blobs`: its server is closing (they are made on first view). */
export function dropQueuedThumbnails(blobs: BlobStore): void {
  closing.add(blobs);
}

async function quietMoment(queuedAt: number, blobs: BlobStore): Promise<void> {
  while (!closing.has(blobs)) {
    const now = Date.now();
    const wait = Math.min(lastQueuedAt + THUMBNAIL_QUIET_MS, queuedAt + THUMBNAIL_MAX_DELAY_MS) - now;
    if (wait <= 0) return;
    // Unref'd: a command line that is done does not stay for a thumbnail (it is made on first view).
    await new Promise((resolve) => setTimeout(resolve, wait).unref());
  }
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
