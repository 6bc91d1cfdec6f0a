/**
 * Small WebP thumbnails for the gallery, made on demand with sharp (through core) and kept in a small
 * in-memory cache; the browser keeps them for good (an image never changes under its id).
 * @module
 */
import { html } from 'hono/html';
import { makeThumbnail } from '../core/imaging.js';
import type { ImageRecord } from '../core/ports.js';
import type { Html } from './layout.js';

const EDGE = 320;
const KEEP = 300;

/** The width and height attributes of a thumbnail: the image's own shape, fitted (not cropped) in EDGE. */
export function thumbSize(record: { width: number; height: number }): Html {
  const scale = Math.min(1, EDGE / Math.max(record.width, record.height, 1));
  const width = Math.max(1, Math.round(record.width * scale));
  const height = Math.max(1, Math.round(record.height * scale));
  return html`width="${width}" height="${height}"`;
}

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
