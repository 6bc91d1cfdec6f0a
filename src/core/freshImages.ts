/**
 * An image just made, held in memory for the result that shows it next (issue 14): the call that waited
 * for it reads the bytes from here instead of from storage, shows the preview started while the image was
 * being stored, and sends the base64 text Gemini sent instead of encoding the bytes again. The gallery's
 * thumbnail is made from that preview (a JPEG original) rather than by decoding the original a second time.
 * Held for a minute at most and within a byte budget; past either, a result reads from storage as before.
 * @module
 */
import { type ImageInfo, makePreview, type Preview } from './imaging.js';
import type { Logger } from './logger.js';
import type { BlobStore, ImageRecord } from './ports.js';
import { storeThumbnailLater, THUMB_EDGE } from './thumbnails.js';

/** The base64 text each Buffer arrived as; a Buffer made afterwards (a colour-adjusted one) has none. */
const arrivedAs = new WeakMap<Buffer, string>();

export function rememberBase64(data: Buffer, base64: string): void {
  arrivedAs.set(data, base64);
}

/** The base64 form of `data`: the text it arrived as when known, otherwise encoded now. */
export function base64Of(data: Buffer): string {
  return arrivedAs.get(data) ?? data.toString('base64');
}

/** The base64 text `data` arrived as, if it is known (nothing is encoded). */
export function arrivedBase64(data: Buffer): string | undefined {
  return arrivedAs.get(data);
}

export interface FreshImage {
  /** Its row as stored: the result that shows it does not read it back. */
  record: ImageRecord;
  data: Buffer;
  /** The preview makePreview tries first (the original, or a JPEG of the preview edge), started on arrival. */
  firstPreview: Promise<Preview | undefined>;
}

const MAX_AGE_MS = 60_000;
const MAX_BYTES = 128 * 1024 * 1024;
const held = new Map<string, FreshImage & { at: number; bytes: number }>();
let heldBytes = 0;

function drop(id: string): void {
  const entry = held.get(id);
  if (!entry) return;
  held.delete(id);
  heldBytes -= entry.bytes;
}

/**
 * Called once an image is stored: holds it and its first preview (see startPreview) for the result that is
 * waiting, and queues the gallery thumbnail (see thumbnailSource).
 */
export function keepFresh(
  deps: { blobs: BlobStore; log: Logger },
  record: ImageRecord,
  data: Buffer,
  info: ImageInfo,
  firstPreview: Promise<Preview | undefined>,
): void {
  // Oldest first, until this one fits; an image larger than the whole budget is not held.
  for (const id of held.keys()) if (heldBytes + data.length > MAX_BYTES) drop(id);
  if (heldBytes + data.length <= MAX_BYTES) {
    held.set(record.id, { record, data, firstPreview, at: Date.now(), bytes: data.length });
    heldBytes += data.length;
    dropLater(record.id);
  }
  const source = thumbnailSource(deps.blobs, record.blobKey, info.mimeType, firstPreview);
  void storeThumbnailLater(deps.blobs, record.id, source).catch((err) =>
    deps.log.warn({ err, id: record.id }, 'thumbnail not stored; made on first view'),
  );
}

/**
 * What the thumbnail is made from when its turn comes. A JPEG's preview, when it was scaled down (and is
 * at least thumbnail-sized), is as good a source and a smaller decode: that small Buffer is kept. Otherwise
 * the stored file is read at its turn rather than the bytes held until then: thumbnails are made one at a
 * time, and after 200 results at once the queue held every image, and through arrivedAs its base64 text,
 * for seconds after the results had gone (130 MB of Buffers and 150 MB of strings, issue 14). A function
 * of its own so that nothing here closes over the original bytes.
 */
function thumbnailSource(
  blobs: BlobStore,
  blobKey: string,
  mimeType: string,
  firstPreview: Promise<Preview | undefined>,
): () => Promise<Buffer> {
  const scaled = firstPreview.then((p) =>
    mimeType === 'image/jpeg' && p && !p.original && Math.max(p.width, p.height) >= THUMB_EDGE ? p.data : undefined,
  );
  return async () => (await scaled) ?? blobs.get(blobKey);
}

/** The preview a result shows first, started as soon as the image's bytes are known (see makePreview). */
export function startPreview(data: Buffer, info: ImageInfo, maxEdge?: number): Promise<Preview | undefined> {
  return makePreview(data, info, { maxBase64Bytes: Number.POSITIVE_INFINITY, maxEdge }).catch(() => undefined);
}

/**
 * Not shown by this process (asked for later, or on another instance): let it go. A function of its own so
 * the timer's closure holds the id only: made inside keepFresh, it shared keepFresh's scope (V8 keeps one
 * context per scope for all its closures), so it kept every image's bytes and base64 text alive for the
 * whole minute after its result had gone, whatever the byte budget said (issue 14: RSS 540, 740, 910 MB
 * after three bursts of 200; a heap snapshot showed the Buffers retained by Timeout closures).
 */
function dropLater(id: string): void {
  setTimeout(() => drop(id), MAX_AGE_MS).unref();
}

/** The held image, once, for a reader `mayTake` lets see it: later readers go to storage. */
export function takeFresh(id: string, mayTake: (record: ImageRecord) => boolean): FreshImage | undefined {
  const entry = held.get(id);
  if (!entry || !mayTake(entry.record)) return undefined;
  drop(id);
  if (Date.now() - entry.at > MAX_AGE_MS) return undefined;
  return { record: entry.record, data: entry.data, firstPreview: entry.firstPreview };
}
