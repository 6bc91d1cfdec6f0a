/**
 * Small WebP thumbnails for the gallery, made on demand with sharp (through core) and kept in a small
 * in-memory cache; the browser keeps them for good (an image never changes under its id).
 * @module
 */
import { makeThumbnail } from '../core/imaging.js';
import type { ImageRecord } from '../core/ports.js';

const EDGE = 320;
const KEEP = 300;

export function createThumbnails(read: (record: ImageRecord) => Promise<Buffer>) {
  const cache = new Map<string, Promise<Buffer>>();
  return (record: ImageRecord): Promise<Buffer> => {
    let thumb = cache.get(record.id);
    if (!thumb) {
      thumb = read(record).then((data) => makeThumbnail(data, EDGE));
      void thumb.catch(() => cache.delete(record.id));
      cache.set(record.id, thumb);
      // Oldest first out.
      if (cache.size > KEEP) cache.delete(cache.keys().next().value as string);
    }
    return thumb;
  };
}
