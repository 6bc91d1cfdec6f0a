/**
 * The size attributes of gallery thumbnails. The thumbnails themselves are made when an image is stored
 * (core/thumbnails.ts); the browser keeps them for good (an image never changes under its id).
 * @module
 */
import { html } from 'hono/html';
import { THUMB_EDGE as EDGE } from '../core/thumbnails.js';
import type { Html } from './layout.js';

/** The width and height attributes of a thumbnail: the image's own shape, fitted (not cropped) in EDGE. */
export function thumbSize(record: { width: number; height: number }): Html {
  const scale = Math.min(1, EDGE / Math.max(record.width, record.height, 1));
  const width = Math.max(1, Math.round(record.width * scale));
  const height = Math.max(1, Math.round(record.height * scale));
  return html`width="${width}" height="${height}"`;
}
